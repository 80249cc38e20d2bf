'use strict';

/**
 * <wxpush-tap>: wraps its content in a `<form report-submit>` whose submit button is styled
 * away, so every tap on it yields a formId for legacy template messages, then passes the tap
 * on as a 'tap' event. The formId goes into the client createWxpush made (sharedClient), so
 * the page wires nothing but its own bind:tap.
 */
const { sharedClient } = require('../../wxpush');

Component({
  externalClasses: ['custom-class'],

  methods: {
    onSubmit(e) {
      const formId = e && e.detail ? e.detail.formId : undefined;
      try {
        const client = sharedClient();
        // collectFormSubmit ignores devtools' "the formId is a mock one" and empty ids.
        if (client) client.collectFormSubmit(e);
      } catch (err) {
        if (typeof console !== 'undefined') console.warn('wxpush-tap: could not collect the formId', err);
      }
      // Triggered synchronously from the submit handler, so the page's handler still runs
      // inside the user's tap and may call wxpush.harvest / wx.requestSubscribeMessage.
      this.triggerEvent('tap', { formId });
    },

    // Bound with catchtap around the form: the button's own tap would otherwise bubble out
    // of the component too, and the page's bind:tap would run twice per tap.
    swallowTap() {},
  },
});
