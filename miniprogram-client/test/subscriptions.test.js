'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const { SubscriptionSetting, normalize } = require('../src/subscriptions');

/** A wx whose getSetting calls wait until the test answers them, in any order. */
function heldWx() {
  const calls = [];
  return {
    calls,
    getSetting(opts) { calls.push(opts); },
    answer(i, subscriptionsSetting) { calls[i].success({ errMsg: 'getSetting:ok', subscriptionsSetting }); },
  };
}

test('when two reads overlap, the answer to the later one wins even if it comes first', async () => {
  const wx = heldWx();
  const setting = new SubscriptionSetting({ wx, log: () => {} });
  const first = setting.refresh();
  const second = setting.refresh();
  assert.equal(wx.calls.length, 2);
  assert.ok(wx.calls.every((c) => c.withSubscriptions === true));
  wx.answer(1, { mainSwitch: true, itemSettings: { A: 'reject' } });
  wx.answer(0, { mainSwitch: true, itemSettings: { A: 'accept' } }); // stale: read before the user changed it
  await Promise.all([first, second]);
  assert.deepEqual(setting.get(), { mainSwitch: true, itemSettings: { A: 'reject' } });
});

test('a failed or throwing read keeps the setting already cached', async () => {
  const log = [];
  let mode = 'ok';
  const wx = {
    getSetting(opts) {
      if (mode === 'throw') throw new Error('no getSetting here');
      if (mode === 'fail') return opts.fail({ errMsg: 'getSetting:fail' });
      return opts.success({ subscriptionsSetting: { mainSwitch: true, itemSettings: { A: 'accept' } } });
    },
  };
  const setting = new SubscriptionSetting({ wx, log: (msg) => log.push(msg) });
  await setting.refresh();
  for (mode of ['fail', 'throw']) {
    assert.deepEqual(await setting.refresh(), { mainSwitch: true, itemSettings: { A: 'accept' } }, mode);
  }
  assert.equal(log.length, 2);
});

test('normalize keeps the three documented states and reads a missing main switch as on', () => {
  assert.equal(normalize(undefined), null);
  assert.equal(normalize('x'), null);
  assert.deepEqual(normalize({ mainSwitch: true }), { mainSwitch: true, itemSettings: {} });
  assert.deepEqual(normalize({ itemSettings: { A: 'accept', B: 'filter', C: 1 } }), { mainSwitch: true, itemSettings: { A: 'accept' } });
  assert.deepEqual(normalize({ mainSwitch: false, itemSettings: null }), { mainSwitch: false, itemSettings: {} });
});
