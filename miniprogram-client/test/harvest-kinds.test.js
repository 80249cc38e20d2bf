'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const { harness, settle } = require('../test-support/harness');
const { chooseCall } = require('../src/harvest');

const on = (itemSettings) => ({ mainSwitch: true, itemSettings });

/**
 * A client configured with long-term templates, over a fake wx that knows them too (so a
 * mixed call fails with 20002, as WeChat's does), its first setting read already answered.
 */
async function withKinds({ setting = on({}), longTerm = ['LT'], options = {}, setupWx = () => {} } = {}) {
  const h = harness({
    options: Object.assign({ uploadThreshold: 1000, longTermTemplateIds: longTerm }, options),
    setupWx: (wx) => {
      wx.subscriptionsSetting = setting;
      for (const id of longTerm) wx.longTermIds.add(id);
      setupWx(wx);
    },
  });
  await settle();
  return h;
}

const asked = (h) => h.wx.subscribeCalls.map((c) => c.tmplIds);
const granted = (h) => h.client.pending().filter((c) => c.kind === 'subscription').map((c) => c.templateId).sort();

test('one tap asks one kind only: the long-term template alone, so the mix WeChat fails with 20002 never happens', async () => {
  const h = await withKinds();
  const result = await h.wx.tap(() => h.client.harvest(['OT1', 'LT', 'OT2']));
  assert.deepEqual(asked(h), [['LT']]);
  assert.deepEqual(result, { asked: ['LT'], granted: 1 });
  assert.deepEqual(granted(h), ['LT']);
});

test('long-term first, then the kinds alternate tap after tap while both have something to ask', async () => {
  // The user dismisses the long-term popup (not kept), accepts the one-time ones.
  const h = await withKinds({ setupWx: (wx) => { wx.popupAnswer = (id) => (id === 'LT' ? 'reject' : 'accept'); } });
  const results = [];
  for (let i = 0; i < 4; i++) results.push(await h.wx.tap(() => h.client.harvest(['OT1', 'LT', 'OT2'])));
  assert.deepEqual(asked(h), [['LT'], ['OT1', 'OT2'], ['LT'], ['OT1', 'OT2']]);
  assert.ok(results.every((r) => r.errMsg === undefined), JSON.stringify(results));
  assert.deepEqual(granted(h), ['OT1', 'OT1', 'OT2', 'OT2']);

  // Once the long-term one is accepted, every tap goes to the one-time ones.
  h.wx.popupAnswer = () => 'accept';
  await h.wx.tap(() => h.client.harvest(['OT1', 'LT', 'OT2']));
  await h.wx.tap(() => h.client.harvest(['OT1', 'LT', 'OT2']));
  await h.wx.tap(() => h.client.harvest(['OT1', 'LT', 'OT2']));
  assert.deepEqual(asked(h).slice(4), [['LT'], ['OT1', 'OT2'], ['OT1', 'OT2']]);
});

test('a template given as {id, type: "long_term"} is asked apart from the one-time ones without any configuration', async () => {
  const h = await withKinds({ longTerm: [], setupWx: (wx) => wx.longTermIds.add('LT9') });
  await h.wx.tap(() => h.client.harvest(['OT', { id: 'LT9', type: 'long_term' }]));
  await h.wx.tap(() => h.client.harvest(['OT', { id: 'LT9', type: 'long_term' }]));
  assert.deepEqual(asked(h), [['LT9'], ['OT']]);
  assert.deepEqual(granted(h), ['LT9', 'OT']);
});

test('without ids, kept accepts of both kinds are asked in separate taps, the long-term one once', async () => {
  const h = await withKinds({ setting: on({ OT: 'accept', LT: 'accept' }) });
  for (let i = 0; i < 3; i++) await h.wx.tap(() => h.client.harvest());
  assert.deepEqual(asked(h), [['LT'], ['OT'], ['OT']]);
  assert.deepEqual(granted(h), ['LT', 'OT', 'OT']);
});

test('a long-term accept is uploaded once and not asked again, also after a relaunch', async () => {
  const h = await withKinds();
  assert.equal((await h.wx.tap(() => h.client.harvest(['LT']))).granted, 1);
  assert.deepEqual(await h.wx.tap(() => h.client.harvest(['LT'])), { asked: [], granted: 0 });
  // An app calling wx.requestSubscribeMessage itself: a second accept adds nothing either.
  assert.equal(h.client.collectSubscribeResult({ errMsg: 'requestSubscribeMessage:ok', LT: 'accept' }), 0);
  await h.client.flush();
  assert.deepEqual(h.ingest.received.map((c) => c.templateId), ['LT']);

  const relaunched = h.restart();
  await settle();
  await relaunched.wx.tap(() => relaunched.client.harvest(['LT']));
  assert.deepEqual(relaunched.wx.subscribeCalls, []);
  assert.deepEqual(relaunched.client.pending(), []);
});

test('a long-term template turned off in the settings is asked again once turned back on; forgetLongTermAccepts asks again too', async () => {
  const h = await withKinds();
  await h.wx.tap(() => h.client.harvest(['LT']));
  assert.deepEqual(granted(h), ['LT']);

  // Turned off in the service-notification settings: the setting keeps it as 'reject'.
  h.wx.subscriptionsSetting = on({ LT: 'reject' });
  await h.client.onShow();
  await h.wx.tap(() => h.client.harvest(['LT']));
  assert.equal(h.wx.subscribeCalls.length, 1, 'a kept reject is never asked');
  // Turned back on: the server ended the permission on the reject, so it must be uploaded anew.
  h.wx.subscriptionsSetting = on({ LT: 'accept' });
  await h.client.onShow();
  assert.equal((await h.wx.tap(() => h.client.harvest(['LT']))).granted, 1);
  await h.client.flush();
  assert.equal(h.ingest.received.filter((c) => c.templateId === 'LT').length, 2);

  // The app's server learnt of a 43101: it tells the client to ask again.
  assert.equal(h.client.forgetLongTermAccepts('LT'), 1);
  assert.equal((await h.wx.tap(() => h.client.harvest(['LT']))).granted, 1);
  assert.deepEqual(asked(h), [['LT'], ['LT'], ['LT']]);
});

test('a long-term template rejected in a popup the app showed itself is forgotten, so harvest asks it again', async () => {
  const h = await withKinds();
  await h.wx.tap(() => h.client.harvest(['LT']));
  await h.wx.tap(() => h.client.harvest(['LT'])); // known accepted: not asked
  h.client.collectSubscribeResult({ errMsg: 'requestSubscribeMessage:ok', LT: 'reject' });
  await h.wx.tap(() => h.client.harvest(['LT'])); // asked again, accepted again
  await h.wx.tap(() => h.client.harvest(['LT'])); // known accepted again: not asked
  assert.deepEqual(asked(h), [['LT'], ['LT']]);
  assert.deepEqual(granted(h), ['LT', 'LT']);
});

test('acceptWithAudio (a voice-capable template asked alone) is an accept and becomes a grant', async () => {
  const h = await withKinds({ setupWx: (wx) => wx.audioIds.add('VOICE') });
  const result = await h.wx.tap(() => h.client.harvest(['VOICE']));
  assert.deepEqual(result, { asked: ['VOICE'], granted: 1 });
  assert.equal(h.client.collectSubscribeResult({ errMsg: 'requestSubscribeMessage:ok', OTHER: 'acceptWithAudio' }), 1);
  await h.client.flush();
  assert.deepEqual(h.ingest.received.map((c) => c.templateId).sort(), ['OTHER', 'VOICE']);
});

test('chooseCall: the kinds as a table', () => {
  const kinds = (longTerm, accepted = []) => ({ isLongTerm: (id) => longTerm.includes(id), isAccepted: (id) => accepted.includes(id) });
  const state = (lastKind) => ({ turns: { one_time: 0, long_term: 0 }, lastKind });
  const cases = [
    // [setting, given, lastKind, long-term ids, accepted long-term ids, expected ids, expected kind]
    [null, ['A', 'L'], null, ['L'], [], ['L'], 'long_term'],
    [null, ['A', 'L'], 'long_term', ['L'], [], ['A'], 'one_time'],
    [null, ['A', 'L'], 'one_time', ['L'], ['L'], ['A'], 'one_time'],
    [null, ['L'], 'long_term', ['L'], [], ['L'], 'long_term'],
    [null, ['L'], null, ['L'], ['L'], [], 'one_time'],
    [on({ A: 'accept', L: 'accept' }), [], null, ['L'], [], ['L'], 'long_term'],
    [on({ A: 'accept', L: 'accept' }), [], null, ['L'], ['L'], ['A'], 'one_time'],
    [on({ A: 'accept', L: 'accept' }), ['A'], null, ['L'], [], ['A'], 'one_time'],
    [on({ L: 'reject' }), ['A', 'L'], null, ['L'], [], ['A'], 'one_time'],
    [{ mainSwitch: false, itemSettings: {} }, ['A', 'L'], null, ['L'], [], [], 'one_time'],
  ];
  for (const [setting, given, lastKind, longTerm, accepted, ids, kind] of cases) {
    const choice = chooseCall(setting, given, state(lastKind), kinds(longTerm, accepted));
    assert.deepEqual([choice.ids, choice.kind], [ids, kind], JSON.stringify([setting, given, lastKind, longTerm, accepted]));
  }
});

test("the fake wx refuses what WeChat refuses: no ids 10001, a mix 20002, more than 3 ids 20003, main switch off 20004", async () => {
  const h = await withKinds({ setting: on({}) });
  const call = (tmplIds) => new Promise((resolve) => {
    h.wx.tap(() => h.wx.requestSubscribeMessage({ tmplIds, success: (r) => resolve(r), fail: (e) => resolve(e) }));
  });
  assert.equal((await call([])).errCode, 10001);
  assert.equal((await call(['OT', 'LT'])).errCode, 20002);
  assert.equal((await call(['A', 'B', 'C', 'D'])).errCode, 20003);
  assert.equal((await call(['LT'])).LT, 'accept');
  h.wx.subscriptionsSetting.mainSwitch = false;
  assert.equal((await call(['OT'])).errCode, 20004);
});
