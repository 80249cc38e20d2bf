'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const { harness, settle } = require('../test-support/harness');
const { chooseTemplates } = require('../src/harvest');

/** A client whose first wx.getSetting read answers `setting` (already cached once settled). */
async function withSetting(setting, options) {
  const h = harness({
    options: Object.assign({ uploadThreshold: 1000 }, options),
    setupWx: (wx) => { wx.subscriptionsSetting = setting; },
  });
  await settle();
  return h;
}

const on = (itemSettings) => ({ mainSwitch: true, itemSettings });

test('harvest calls requestSubscribeMessage before it returns, inside the tap, and records each accept', async () => {
  const h = await withSetting(on({ TPL_A: 'accept', TPL_B: 'accept' }));
  let callsWhenHarvestReturned;
  const result = h.wx.tap(() => {
    const p = h.client.harvest();
    callsWhenHarvestReturned = h.wx.subscribeCalls.length;
    return p;
  });
  assert.equal(callsWhenHarvestReturned, 1, 'called synchronously, not after an await');
  assert.deepEqual(h.wx.subscribeCalls, [{ tmplIds: ['TPL_A', 'TPL_B'], inTap: true }]);

  assert.deepEqual(await result, { asked: ['TPL_A', 'TPL_B'], granted: 2 });
  const grants = h.client.pending();
  assert.deepEqual(grants.map((g) => [g.kind, g.templateId, g.collectedAt]),
    [['subscription', 'TPL_A', h.clock.now()], ['subscription', 'TPL_B', h.clock.now()]]);
  assert.notEqual(grants[0].value, grants[1].value);
});

test('every harvest of a kept accept is one more grant with its own value', async () => {
  const h = await withSetting(on({ TPL_A: 'accept' }));
  for (let i = 0; i < 3; i++) await h.wx.tap(() => h.client.harvest());
  const values = h.client.pending().map((g) => g.value);
  assert.equal(values.length, 3);
  assert.equal(new Set(values).size, 3);
});

test('before the first wx.getSetting answer, harvest asks for the given ids at once instead of waiting', () => {
  const h = harness({ options: { uploadThreshold: 1000 }, setupWx: (wx) => { wx.holdSettings = true; } });
  assert.equal(h.wx.settingReads, 1, 'the client asked for the setting when created');
  h.wx.tap(() => h.client.harvest(['TPL_A', 'TPL_B', 'TPL_C', 'TPL_D']));
  assert.deepEqual(h.wx.subscribeCalls, [{ tmplIds: ['TPL_A', 'TPL_B', 'TPL_C'], inTap: true }]);
  // With neither a setting nor ids there is nothing to ask.
  h.wx.tap(() => h.client.harvest());
  assert.equal(h.wx.subscribeCalls.length, 1);
});

test('only templates kept as accept are asked, at most 3, rotating through the others on later taps', async () => {
  const h = await withSetting(on({
    A: 'accept', B: 'reject', C: 'accept', D: 'ban', E: 'accept', F: 'accept', SYS_MSG_TYPE_INTERACTIVE: 'accept',
  }));
  await h.wx.tap(() => h.client.harvest());
  await h.wx.tap(() => h.client.harvest());
  assert.deepEqual(h.wx.subscribeCalls.map((c) => c.tmplIds), [['A', 'C', 'E'], ['F', 'A', 'C']]);
  assert.deepEqual(h.client.pending().map((g) => g.templateId).sort(), ['A', 'A', 'C', 'C', 'E', 'F']);
});

test('given ids: the kept accepts among them; when none is kept, the given ones not kept as reject or ban', async () => {
  const h = await withSetting(on({ A: 'accept', B: 'reject', C: 'ban', Z: 'accept' }));
  await h.wx.tap(() => h.client.harvest(['X', 'A']));
  await h.wx.tap(() => h.client.harvest(['B', 'C', 'X', 'Y', 'V', 'W']));
  assert.deepEqual(h.wx.subscribeCalls.map((c) => c.tmplIds), [['A'], ['X', 'Y', 'V']]);
});

test('accepts in the popup become grants; rejects, filtered and unasked ids do not', async () => {
  const h = await withSetting(on({}));
  h.wx.popupAnswer = (id) => ({ X: 'accept', Y: 'reject', Z: 'filter' }[id]);
  h.wx.extraAnswers = { NOT_ASKED: 'accept' };
  const result = await h.wx.tap(() => h.client.harvest(['X', 'Y', 'Z']));
  assert.deepEqual(result, { asked: ['X', 'Y', 'Z'], granted: 1 });
  assert.deepEqual(h.client.pending().map((g) => g.templateId), ['X']);
});

test('with the main switch off nothing is asked, not even the given ids', async () => {
  const h = await withSetting({ mainSwitch: false, itemSettings: { A: 'accept' } });
  const result = await h.wx.tap(() => h.client.harvest(['A', 'X']));
  assert.deepEqual(result, { asked: [], granted: 0 });
  assert.deepEqual(h.wx.subscribeCalls, []);
});

test('a failing requestSubscribeMessage records nothing and never throws into the tap handler', async () => {
  const h = await withSetting(on({ A: 'accept' }));
  const failures = [
    { errMsg: 'requestSubscribeMessage:fail cancel', errCode: 20004 },
    'throw',
    { onlyComplete: true },
  ];
  for (const failure of failures) {
    h.wx.subscribeFailure = failure;
    const result = await h.wx.tap(() => h.client.harvest());
    assert.equal(result.granted, 0, JSON.stringify(failure));
    assert.equal(typeof result.errMsg, 'string');
  }
  h.wx.subscribeFailure = null;
  // Called outside a tap, WeChat refuses: still nothing recorded, nothing thrown.
  const outside = await h.client.harvest();
  assert.match(outside.errMsg, /TAP gesture/);
  assert.equal(h.wx.subscribeCalls.length, 4);
  assert.deepEqual(h.client.pending(), []);
  assert.ok(h.logs.some((l) => /requestSubscribeMessage failed/.test(l.msg)));

  h.wx.requestSubscribeMessage = undefined;
  const missing = await h.wx.tap(() => h.client.harvest());
  assert.deepEqual([missing.granted, missing.asked], [0, []]);
});

test('the setting is read again after each harvest, so a choice kept in the popup is used on the next tap', async () => {
  const h = await withSetting(on({}));
  h.wx.keepChoice = true;
  h.wx.popupAnswer = (id) => (id === 'X' ? 'accept' : 'reject');
  const reads = h.wx.settingReads;
  await h.wx.tap(() => h.client.harvest(['X', 'Y']));
  await settle();
  assert.equal(h.wx.settingReads, reads + 1);
  assert.deepEqual(h.client.subscriptionSetting(), on({ X: 'accept', Y: 'reject' }));

  await h.wx.tap(() => h.client.harvest(['X', 'Y']));
  assert.deepEqual(h.wx.subscribeCalls.map((c) => c.tmplIds), [['X', 'Y'], ['X']]);
});

test('chooseTemplates: the rules as a table', () => {
  const cases = [
    // [setting, given, turn, expected ids, expected kept]
    [null, [], 0, [], false],
    [null, ['A', 'B', 'C', 'D'], 5, ['A', 'B', 'C'], false],
    [{ mainSwitch: false, itemSettings: { A: 'accept' } }, ['A'], 0, [], false],
    [on({ A: 'accept', B: 'accept' }), [], 1, ['B', 'A'], true],
    [on({ A: 'reject' }), [], 0, [], false],
    [on({ A: 'reject', B: 'ban' }), ['A', 'B', 'C'], 0, ['C'], false],
    [on({ A: 'accept' }), ['B'], 0, ['B'], false],
    [on({ SYS_MSG_TYPE_RANK: 'accept' }), [], 0, [], false],
  ];
  for (const [setting, given, turn, ids, kept] of cases) {
    assert.deepEqual(chooseTemplates(setting, given, turn), { ids, kept }, JSON.stringify([setting, given, turn]));
  }
});
