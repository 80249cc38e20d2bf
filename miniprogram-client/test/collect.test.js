'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const { harness, submit } = require('../test-support/harness');

// Thresholds are raised so these tests see collection only, never an upload.
const quiet = { options: { uploadThreshold: 1000 } };

test('a form submit stores its formId with the time it was collected', () => {
  const h = harness(quiet);
  assert.equal(h.client.collectFormSubmit(submit('F1')), true);
  assert.deepEqual(h.client.pending(), [{ kind: 'form_id', value: 'F1', collectedAt: h.clock.now() }]);
});

test("devtools' mock formId, empty, missing and over-long formIds are ignored", () => {
  const h = harness(quiet);
  const ignored = [
    submit('the formId is a mock one'), submit(''), submit('   '),
    { detail: {} }, { detail: { formId: undefined } }, {}, null, undefined,
    { detail: { formId: 42 } }, submit('x'.repeat(129)),
  ];
  for (const e of ignored) assert.equal(h.client.collectFormSubmit(e), false, JSON.stringify(e));
  assert.deepEqual(h.client.pending(), []);
  assert.equal(h.client.collectFormSubmit(submit('y'.repeat(128))), true, '128 characters is still allowed');
});

test('the same formId submitted twice is stored once', () => {
  const h = harness(quiet);
  h.client.collectFormSubmit(submit('F1'));
  assert.equal(h.client.collectFormSubmit(submit('F1')), false);
  assert.equal(h.client.pending().length, 1);
});

test('a prepay_id is accepted bare or as the requestPayment package string', () => {
  const h = harness(quiet);
  assert.equal(h.client.collectPrepayId('wx201410272009395522657a690389285100'), true);
  assert.equal(h.client.collectPrepayId('prepay_id=wx999'), true);
  assert.equal(h.client.collectPrepayId('prepay_id=wx999'), false, 'duplicate');
  assert.equal(h.client.collectPrepayId(''), false);
  assert.equal(h.client.collectPrepayId(undefined), false);
  assert.deepEqual(h.client.pending().map((c) => [c.kind, c.value]),
    [['prepay_id', 'wx201410272009395522657a690389285100'], ['prepay_id', 'wx999']]);
});

test('every accept in a subscribe result becomes one grant; reject, ban and filter grant nothing', () => {
  const h = harness(quiet);
  const n = h.client.collectSubscribeResult({
    errMsg: 'requestSubscribeMessage:ok',
    TPL_A: 'accept', TPL_B: 'reject', TPL_C: 'ban', TPL_D: 'filter', TPL_E: 'accept',
  });
  assert.equal(n, 2);
  const grants = h.client.pending();
  assert.deepEqual(grants.map((g) => [g.kind, g.templateId]).sort(),
    [['subscription', 'TPL_A'], ['subscription', 'TPL_E']]);
  for (const g of grants) {
    assert.equal(typeof g.value, 'string');
    assert.ok(g.value.length > 0 && g.value.length <= 128);
    assert.equal(g.collectedAt, h.clock.now());
  }
});

test('accepting the same template twice, even in the same millisecond, yields two distinct grants', () => {
  const h = harness(quiet);
  h.client.collectSubscribeResult({ errMsg: 'requestSubscribeMessage:ok', TPL_A: 'accept' });
  h.client.collectSubscribeResult({ errMsg: 'requestSubscribeMessage:ok', TPL_A: 'accept' });
  const ids = h.client.pending().map((g) => g.value);
  assert.equal(ids.length, 2);
  assert.notEqual(ids[0], ids[1]);
});

test('grant ids stay unique across a restart within the same millisecond', () => {
  const h = harness({ options: { uploadThreshold: 1000, random: Math.random } });
  h.client.collectSubscribeResult({ TPL_A: 'accept' });
  // A relaunch restarts the per-process counter and the clock has not moved: only the
  // random part keeps the ids apart.
  const again = h.restart();
  again.client.collectSubscribeResult({ TPL_A: 'accept' });
  const ids = again.client.pending().map((g) => g.value);
  assert.equal(new Set(ids).size, 2);
});

test('a failed subscribe call (no template keys) grants nothing', () => {
  const h = harness(quiet);
  assert.equal(h.client.collectSubscribeResult({ errMsg: 'requestSubscribeMessage:fail cancel', errCode: 20004 }), 0);
  assert.equal(h.client.collectSubscribeResult(null), 0);
  assert.deepEqual(h.client.pending(), []);
});

test('createWxpush rejects bad options, naming the option', () => {
  const h = harness(quiet);
  const base = { wx: h.wx, baseUrl: 'https://x', appId: 'a' };
  const { createWxpush } = require('../src/wxpush');
  assert.throws(() => createWxpush(Object.assign({}, base, { batchSize: 101 })), /batchSize/);
  assert.throws(() => createWxpush(Object.assign({}, base, { appId: '' })), /appId/);
  assert.throws(() => createWxpush(Object.assign({}, base, { baseUrl: 'push.example.com' })), /baseUrl/);
  assert.throws(() => createWxpush(Object.assign({}, base, { wx: {} })), /wx/);
});
