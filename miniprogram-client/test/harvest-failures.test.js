'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const { harness, submit, settle } = require('../test-support/harness');

const on = (itemSettings) => ({ mainSwitch: true, itemSettings });

/** A client that hands every harvest failure to onError, its first setting read answered. */
async function reporting(setting = on({ A: 'accept' }), options = {}) {
  const errors = [];
  const h = harness({
    options: Object.assign({ uploadThreshold: 1000, onError: (e) => errors.push(e) }, options),
    setupWx: (wx) => { wx.subscriptionsSetting = setting; },
  });
  await settle();
  return Object.assign(h, { errors });
}

const DOCUMENTED = [
  [10001, 'empty_template_list'],
  [10002, 'network'],
  [10003, 'network'],
  [10004, 'bad_template_id_type'],
  [10005, 'no_popup'],
  [20001, 'no_template_data'],
  [20002, 'mixed_template_kinds'],
  [20003, 'too_many_templates'],
  [20004, 'main_switch_off'],
  [20005, 'app_banned'],
];

test('each documented fail code comes back by name in the result and to onError, and the rest of the tap is kept', async () => {
  const h = await reporting();
  for (const [errCode, reason] of DOCUMENTED) {
    h.wx.subscribeFailure = { errMsg: 'requestSubscribeMessage:fail ' + errCode, errCode };
    let ran = false;
    const result = await h.wx.tap(() => {
      // The page's tap: collect a formId, harvest, then its own work — none of it may be lost.
      h.client.collectFormSubmit(submit('F' + errCode));
      const p = h.client.harvest();
      ran = true;
      return p;
    });
    assert.ok(ran);
    assert.deepEqual(result, { asked: ['A'], granted: 0, errMsg: 'requestSubscribeMessage:fail ' + errCode, errCode, reason });
    assert.deepEqual(h.errors.at(-1), { source: 'harvest', errCode, reason, errMsg: result.errMsg, tmplIds: ['A'] });
  }
  assert.equal(h.errors.length, DOCUMENTED.length);
  assert.equal(h.client.pending().filter((c) => c.kind === 'form_id').length, DOCUMENTED.length);
  assert.equal(h.client.pending().filter((c) => c.kind === 'subscription').length, 0);
});

test('an undocumented code, a fail without one, a throwing call and a call that only completes are reported too', async () => {
  const h = await reporting();
  const cases = [
    [{ errMsg: 'requestSubscribeMessage:fail odd', errCode: 99999 }, 99999, 'failed'],
    [{ errMsg: 'requestSubscribeMessage:fail cancel' }, null, 'failed'],
    ['throw', null, 'threw'],
    [{ onlyComplete: true }, null, 'no_answer'],
  ];
  for (const [failure, errCode, reason] of cases) {
    h.wx.subscribeFailure = failure;
    const result = await h.wx.tap(() => h.client.harvest());
    assert.deepEqual([result.errCode, result.reason], [errCode, reason], JSON.stringify(failure));
    assert.deepEqual([h.errors.at(-1).errCode, h.errors.at(-1).reason], [errCode, reason]);
  }
});

test('the main switch turned off since the setting was read: 20004 is reported, and the next tap asks nothing', async () => {
  const h = await reporting(on({ A: 'accept' }));
  h.wx.subscriptionsSetting.mainSwitch = false; // the cached setting still says on
  const result = await h.wx.tap(() => h.client.harvest());
  assert.deepEqual([result.errCode, result.reason], [20004, 'main_switch_off']);
  await settle(); // harvest read the setting again
  assert.deepEqual(await h.wx.tap(() => h.client.harvest()), { asked: [], granted: 0 });
  assert.equal(h.wx.subscribeCalls.length, 1);
});

test('called outside a tap, WeChat cannot show the popup: 10005 no_popup is reported', async () => {
  const h = await reporting();
  const result = await h.client.harvest();
  assert.deepEqual([result.errCode, result.reason], [10005, 'no_popup']);
  assert.equal(h.errors[0].reason, 'no_popup');
});

test('an onError that throws is logged and changes nothing else', async () => {
  const h = await reporting(on({ A: 'accept' }), { onError: () => { throw new Error('app bug'); } });
  h.wx.subscribeFailure = { errMsg: 'requestSubscribeMessage:fail banned', errCode: 20005 };
  const result = await h.wx.tap(() => h.client.harvest());
  assert.equal(result.reason, 'app_banned');
  assert.ok(h.logs.some((l) => /onError threw/.test(l.msg)));
});

test('createWxpush refuses an onError that is not a function and longTermTemplateIds that are not ids', () => {
  assert.throws(() => harness({ options: { onError: 'yes' } }), /onError/);
  assert.throws(() => harness({ options: { longTermTemplateIds: 'LT' } }), /longTermTemplateIds/);
  assert.throws(() => harness({ options: { longTermTemplateIds: [''] } }), /longTermTemplateIds/);
});
