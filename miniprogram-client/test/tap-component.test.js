'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { harness, submit, settle } = require('../test-support/harness');

const DIR = path.join(__dirname, '..', 'src', 'components', 'wxpush-tap');

/** Loads the component's index.js with a fake global Component that captures its definition. */
function loadDefinition() {
  const file = require.resolve(path.join(DIR, 'index.js'));
  delete require.cache[file];
  let definition = null;
  global.Component = (def) => { definition = def; };
  try {
    require(file);
  } finally {
    delete global.Component;
  }
  assert.ok(definition, 'index.js called Component()');
  return definition;
}

/** A component instance: the definition's methods bound to something with triggerEvent. */
function instance(definition, onTap = () => {}) {
  const events = [];
  const self = {
    triggerEvent(name, detail, options) {
      events.push({ name, detail, options });
      if (name === 'tap') onTap({ type: name, detail, currentTarget: { dataset: {} } });
    },
  };
  for (const [name, fn] of Object.entries(definition.methods)) self[name] = fn.bind(self);
  return { self, events };
}

test('each tap on wxpush-tap collects one formId into the client and passes one tap on', async () => {
  const h = harness({ options: { uploadThreshold: 1000 } });
  const { self, events } = instance(loadDefinition());
  for (const id of ['F1', 'F2', 'F3']) self.onSubmit(submit(id));
  assert.deepEqual(h.client.pending().map((c) => [c.kind, c.value]), [['form_id', 'F1'], ['form_id', 'F2'], ['form_id', 'F3']]);
  assert.deepEqual(events.map((e) => [e.name, e.detail.formId]), [['tap', 'F1'], ['tap', 'F2'], ['tap', 'F3']]);

  // Devtools' mock formId is not stored, but the tap still reaches the page.
  self.onSubmit(submit('the formId is a mock one'));
  assert.equal(h.client.pending().length, 3);
  assert.equal(events.length, 4);
  await h.client.flush();
  assert.deepEqual(h.ingest.received.map((c) => c.value), ['F1', 'F2', 'F3']);
});

test("the page's tap handler runs inside the user's tap, so it can harvest", async () => {
  const h = harness({ options: { uploadThreshold: 1000 }, setupWx: (wx) => { wx.subscriptionsSetting = { mainSwitch: true, itemSettings: { TPL: 'accept' } }; } });
  await settle();
  let harvesting;
  // The page: <wxpush-tap bind:tap="onBuy">, and onBuy harvests.
  const onBuy = () => { harvesting = h.client.harvest(); };
  const { self } = instance(loadDefinition(), onBuy);
  h.wx.tap(() => self.onSubmit(submit('F9')));
  assert.deepEqual(h.wx.subscribeCalls, [{ tmplIds: ['TPL'], inTap: true }]);
  assert.equal((await harvesting).granted, 1);
  assert.deepEqual(h.client.pending().map((c) => c.kind).sort(), ['form_id', 'subscription']);
});

test('with no client created, or a client that throws, the tap is still passed on', () => {
  const h = harness();
  const collect = h.client.collectFormSubmit;
  h.client.collectFormSubmit = () => { throw new Error('broken'); };
  const { self, events } = instance(loadDefinition());
  const warn = console.warn;
  console.warn = () => {}; // the component's own warning, expected here
  try {
    assert.doesNotThrow(() => self.onSubmit(submit('F1')));
  } finally {
    console.warn = warn;
  }
  assert.equal(events.length, 1);

  h.client.collectFormSubmit = collect;
  h.client.stop(); // no client left to collect into
  self.onSubmit(submit('F2'));
  assert.equal(events.length, 2);
  assert.deepEqual(h.client.pending(), []);
});

test('the template wraps the slot in a report-submit form with a submit button, bound to methods that exist', () => {
  const definition = loadDefinition();
  const json = JSON.parse(fs.readFileSync(path.join(DIR, 'index.json'), 'utf8'));
  assert.equal(json.component, true);
  const wxml = fs.readFileSync(path.join(DIR, 'index.wxml'), 'utf8');
  assert.match(wxml, /<form[^>]*report-submit="true"[^>]*bindsubmit="onSubmit"/);
  assert.match(wxml, /<button[^>]*form-type="submit"[^>]*>\s*<slot><\/slot>\s*<\/button>/);
  // The button's own tap must not also bubble out of the component (the page would run twice).
  assert.match(wxml, /catchtap="(\w+)"/);
  const bound = [...wxml.matchAll(/(?:bind|catch)\w+="(\w+)"/g)].map((m) => m[1]);
  for (const name of bound) assert.equal(typeof definition.methods[name], 'function', `method ${name}`);
  // Every class the template uses is styled (the button must be reset to look like nothing).
  const wxss = fs.readFileSync(path.join(DIR, 'index.wxss'), 'utf8');
  assert.match(wxss, /\.wxpush-tap__button\s*\{[^}]*background:\s*transparent/);
  assert.match(wxss, /\.wxpush-tap__button::after\s*\{[^}]*border:\s*none/);
});
