'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const { harness, submit, settle } = require('../test-support/harness');

const quiet = { options: { uploadThreshold: 1000 } };

test('the client listens to wx.onAppShow itself: a show re-reads the setting, then uploads what is pending with it', async () => {
  const h = harness(quiet);
  assert.equal(h.wx.showListeners.size, 1, 'registered when created');
  await settle();
  assert.equal(h.client.subscriptionSetting(), null, 'nothing known yet');
  h.client.collectFormSubmit(submit('F1'));
  await settle();
  assert.equal(h.ingest.credentialCalls(h.wx).length, 0, 'below the threshold nothing goes up by itself');

  // The user changed the setting while the app was in the background.
  h.wx.subscriptionsSetting = { mainSwitch: true, itemSettings: { TPL_A: 'accept' } };
  const reads = h.wx.settingReads;
  h.wx.show();
  await settle();

  assert.equal(h.wx.settingReads, reads + 1);
  assert.deepEqual(h.client.subscriptionSetting(), { mainSwitch: true, itemSettings: { TPL_A: 'accept' } });
  const calls = h.ingest.credentialCalls(h.wx);
  assert.equal(calls.length, 1);
  assert.deepEqual(calls[0].data.subscriptions, { mainSwitch: true, itemSettings: { TPL_A: 'accept' } });
  assert.deepEqual(h.client.pending(), []);
});

test('a show during a backoff waits for the scheduled retry, as onShow always did', async () => {
  const h = harness(quiet);
  h.ingest.script.push({ statusCode: 503, header: { 'Retry-After': '60' }, data: '' });
  h.client.collectFormSubmit(submit('F1'));
  await h.client.flush();
  h.wx.show();
  await settle();
  assert.equal(h.ingest.credentialCalls(h.wx).length, 1);
});

test('onShow() still works for apps that call it, and joins the upload a show started', async () => {
  const h = harness(quiet);
  h.client.collectFormSubmit(submit('F1'));
  h.wx.show();
  const summary = await h.client.onShow();
  await settle();
  assert.equal(summary.remaining, 0);
  assert.equal(h.ingest.credentialCalls(h.wx).length, 1);
});

test('stop() removes the show listener', async () => {
  const h = harness(quiet);
  h.client.stop();
  assert.equal(h.wx.showListeners.size, 0);
  h.client.collectFormSubmit(submit('F1'));
  h.wx.show();
  await settle();
  assert.equal(h.ingest.credentialCalls(h.wx).length, 0);
});

test('a wx without onAppShow, getSetting or requestSubscribeMessage (old base library) still collects and uploads', async () => {
  const h = harness(Object.assign({}, quiet, {
    setupWx: (wx) => { wx.onAppShow = undefined; wx.getSetting = undefined; wx.requestSubscribeMessage = undefined; },
  }));
  h.client.collectFormSubmit(submit('F1'));
  assert.deepEqual(await h.wx.tap(() => h.client.harvest(['TPL'])),
    { asked: [], granted: 0, errMsg: 'wx.requestSubscribeMessage is not available', errCode: null, reason: 'not_available' });
  const summary = await h.client.onShow();
  assert.equal(summary.accepted, 1);
  assert.deepEqual(Object.keys(h.ingest.credentialCalls(h.wx)[0].data), ['credentials'], 'no subscriptions field when unknown');
});
