'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const { harness, submit, settle } = require('../test-support/harness');

const quiet = { options: { uploadThreshold: 1000 } };

function collectForms(h, n, prefix = 'F') {
  for (let i = 0; i < n; i++) h.client.collectFormSubmit(submit(prefix + i));
}

test('flush uploads in batches of at most batchSize, with the bearer token and the wire shape', async () => {
  const h = harness(quiet);
  collectForms(h, 230);
  h.client.collectPrepayId('P1');
  h.client.collectSubscribeResult({ TPL: 'accept' });

  const summary = await h.client.flush();

  const calls = h.ingest.credentialCalls(h.wx);
  assert.deepEqual(calls.map((c) => c.data.credentials.length), [100, 100, 32]);
  assert.ok(calls.every((c) => c.method === 'POST' && c.url === 'https://push.example.com/v1/credentials'));
  assert.ok(calls.every((c) => c.header.Authorization === 'Bearer tok-1'));
  const sent = calls.flatMap((c) => c.data.credentials);
  assert.deepEqual(sent.find((c) => c.kind === 'form_id'), { kind: 'form_id', value: 'F0', collectedAt: h.clock.now() });
  assert.deepEqual(sent.find((c) => c.kind === 'prepay_id'), { kind: 'prepay_id', value: 'P1', collectedAt: h.clock.now() });
  const grant = sent.find((c) => c.kind === 'subscription');
  assert.deepEqual(Object.keys(grant).sort(), ['collectedAt', 'kind', 'templateId', 'value']);
  assert.equal(grant.templateId, 'TPL');
  assert.deepEqual(summary, { accepted: 232, rejected: 0, dropped: 0, retryInMs: null, remaining: 0 });
  assert.deepEqual(h.client.pending(), []);
});

test('the login sends appId and the wx.login code', async () => {
  const h = harness(quiet);
  collectForms(h, 1);
  await h.client.flush();
  const login = h.wx.requests.find((r) => r.url.endsWith('/v1/sessions'));
  assert.deepEqual(login.data, { appId: 'wxapp1', code: 'code-1' });
  assert.equal(login.method, 'POST');
});

test('reaching uploadThreshold pending credentials uploads without being asked', async () => {
  const h = harness({ options: { uploadThreshold: 3 } });
  collectForms(h, 2);
  await settle();
  assert.equal(h.ingest.credentialCalls(h.wx).length, 0);
  collectForms(h, 1, 'G');
  await settle();
  assert.equal(h.ingest.received.length, 3);
  assert.deepEqual(h.client.pending(), []);
});

test('onShow uploads what is pending, and with nothing pending does not even log in', async () => {
  const h = harness(quiet);
  await h.client.onShow();
  assert.equal(h.wx.logins, 0);
  assert.equal(h.wx.requests.length, 0);
  collectForms(h, 2);
  const summary = await h.client.onShow();
  assert.equal(summary.accepted, 2);
});

test('credentials left from a killed session are uploaded on the next launch', async () => {
  const h = harness(quiet);
  collectForms(h, 3);
  const relaunched = h.restart();
  await relaunched.client.onShow();
  assert.deepEqual(h.ingest.received.map((c) => c.value), ['F0', 'F1', 'F2']);
  assert.deepEqual(relaunched.restart().client.pending(), []);
});

test('nothing is removed from storage before the server acknowledges it', async () => {
  const h = harness(quiet);
  let release;
  h.ingest.script.push((req) => new Promise((r) => { release = () => r(h.ingest.accept(req)); }));
  collectForms(h, 2);
  const flushing = h.client.flush();
  await settle();
  assert.equal(typeof release, 'function', 'request is in flight');
  // Killed now, the relaunched app must still have both.
  assert.equal(h.stored().length, 2);
  h.client.collectFormSubmit(submit('DURING'));
  release();
  await flushing;
  assert.deepEqual(h.client.pending(), [], 'the one collected during the upload went in a second batch');
  assert.deepEqual(h.ingest.received.map((c) => c.value), ['F0', 'F1', 'DURING']);
});

test('never two uploads at once: concurrent flush and onShow join the running upload', async () => {
  const h = harness(quiet);
  let release;
  h.ingest.script.push((req) => new Promise((r) => { release = () => r(h.ingest.accept(req)); }));
  collectForms(h, 2);
  const a = h.client.flush();
  await settle();
  const b = h.client.flush();
  const c = h.client.onShow();
  await settle();
  assert.equal(h.ingest.credentialCalls(h.wx).length, 1);
  release();
  const [sa, sb, sc] = await Promise.all([a, b, c]);
  assert.equal(sa, sb);
  assert.equal(sa, sc);
  assert.equal(h.ingest.credentialCalls(h.wx).length, 1);
});

test('a 503 keeps every credential and retries after Retry-After', async () => {
  const h = harness(quiet);
  h.ingest.script.push({ statusCode: 503, header: { 'Retry-After': '30' }, data: { error: { code: 'unavailable', message: 'kafka down' } } });
  collectForms(h, 3);

  const summary = await h.client.flush();
  assert.equal(summary.remaining, 3);
  assert.equal(summary.retryInMs, 30000);
  assert.equal(h.stored().length, 3, 'still in storage');

  await h.clock.advance(29999);
  assert.equal(h.ingest.credentialCalls(h.wx).length, 1, 'not before Retry-After');
  await h.clock.advance(1);
  assert.equal(h.ingest.credentialCalls(h.wx).length, 2);
  assert.deepEqual(h.client.pending(), []);
  assert.equal(h.ingest.received.length, 3);
});

test('a Retry-After header in any case and as an HTTP date is honoured', async () => {
  const h = harness(quiet);
  const at = new Date(h.clock.now() + 120000).toUTCString();
  h.ingest.script.push({ statusCode: 503, header: { 'retry-after': at }, data: '' });
  collectForms(h, 1);
  const summary = await h.client.flush();
  assert.equal(summary.retryInMs, 120000);
});

test('network failures and 5xx keep credentials and retry with growing, jittered backoff', async () => {
  const h = harness({ options: { uploadThreshold: 1000, backoffBaseMs: 1000, backoffMaxMs: 8000 } });
  for (let i = 0; i < 5; i++) h.ingest.script.push(i % 2 ? { statusCode: 500, data: 'oops' } : { fail: 'timeout' });
  collectForms(h, 2);

  const first = await h.client.flush();
  const delays = [first.retryInMs];
  for (let i = 0; i < 4; i++) {
    await h.clock.advance(h.clock.pendingDelays()[0]);
    delays.push(h.clock.pendingDelays()[0]);
  }
  // Ceilings 1s, 2s, 4s, 8s, 8s; equal jitter keeps each in [ceiling/2, ceiling].
  const ceilings = [1000, 2000, 4000, 8000, 8000];
  delays.forEach((d, i) => assert.ok(d >= ceilings[i] / 2 && d <= ceilings[i], `retry ${i}: ${d}ms`));
  assert.equal(h.client.pending().length, 2);

  await h.clock.advance(h.clock.pendingDelays()[0]);
  assert.deepEqual(h.client.pending(), []);
  assert.deepEqual(h.clock.pendingDelays(), [], 'no retry left once everything is acknowledged');
});

test('onShow during a backoff waits for its turn; flush forces an upload at once', async () => {
  const h = harness(quiet);
  h.ingest.script.push({ statusCode: 503, header: { 'Retry-After': '60' }, data: '' });
  collectForms(h, 1);
  await h.client.flush();

  const shown = await h.client.onShow();
  assert.equal(shown.deferred, true);
  assert.equal(h.ingest.credentialCalls(h.wx).length, 1);

  // Mini-program timers stall in the background: a due retry must run on the next show.
  h.clock.timers.clear();
  await h.clock.advance(60000);
  await h.client.onShow();
  assert.deepEqual(h.client.pending(), []);

  h.ingest.script.push({ statusCode: 503, header: { 'Retry-After': '60' }, data: '' });
  collectForms(h, 1, 'X');
  await h.client.flush();
  const forced = await h.client.flush();
  assert.equal(forced.remaining, 0);
  assert.deepEqual(h.clock.pendingDelays(), [], 'the forced success cancels the scheduled retry');
});

test('credentials rejected in a 202 are final and leave storage; the rest count as accepted', async () => {
  const h = harness(quiet);
  h.ingest.script.push((req) => ({
    statusCode: 202,
    data: { accepted: 2, rejected: [{ index: 1, reason: 'expired' }] },
  }));
  collectForms(h, 3);
  const summary = await h.client.flush();
  assert.deepEqual([summary.accepted, summary.rejected, summary.remaining], [2, 1, 0]);
  assert.ok(h.logs.some((l) => /rejected/.test(l.msg) && l.fields.reason === 'expired'));
  assert.deepEqual(h.stored(), []);
});

test('a 202 whose counts do not add up keeps the unnamed credentials and retries', async () => {
  const h = harness(quiet);
  h.ingest.script.push({ statusCode: 202, data: { accepted: 1, rejected: [{ index: 0, reason: 'too_long' }] } });
  collectForms(h, 3);
  const summary = await h.client.flush();
  assert.equal(summary.rejected, 1);
  assert.deepEqual(h.client.pending().map((c) => c.value), ['F1', 'F2']);
  assert.ok(summary.retryInMs > 0);
  await h.clock.advance(summary.retryInMs);
  assert.deepEqual(h.client.pending(), []);
});

test('a 400 on a whole batch is split until only the offending credential is dropped', async () => {
  const h = harness(quiet);
  const refuse = (req) => (req.data.credentials.some((c) => c.value === 'F5')
    ? { statusCode: 400, data: { error: { code: 'invalid', message: 'bad value' } } }
    : h.ingest.accept(req));
  for (let i = 0; i < 20; i++) h.ingest.script.push(refuse);
  collectForms(h, 8);

  const summary = await h.client.flush();
  assert.deepEqual(h.ingest.received.map((c) => c.value).sort(), ['F0', 'F1', 'F2', 'F3', 'F4', 'F6', 'F7']);
  assert.deepEqual([summary.accepted, summary.dropped, summary.remaining], [7, 1, 0]);
  assert.ok(h.logs.some((l) => /refused a credential/.test(l.msg) && l.fields.status === 400));
  // Bounded: 8 credentials need at most 2·8−1 requests.
  assert.ok(h.ingest.credentialCalls(h.wx).length <= 15);
});

test('a 413 on a batch is split into smaller requests instead of looping', async () => {
  const h = harness(quiet);
  const limit = (req) => (req.data.credentials.length > 25
    ? { statusCode: 413, data: { error: { code: 'too_large', message: 'body too large' } } }
    : h.ingest.accept(req));
  for (let i = 0; i < 20; i++) h.ingest.script.push(limit);
  collectForms(h, 100);
  const summary = await h.client.flush();
  assert.equal(summary.accepted, 100);
  assert.equal(summary.dropped, 0);
  assert.deepEqual(h.client.pending(), []);
});

test('a 5xx while a split batch is being resent stops there and keeps the rest', async () => {
  const h = harness(quiet);
  h.ingest.script.push({ statusCode: 400, data: '' });
  h.ingest.script.push((req) => h.ingest.accept(req));
  h.ingest.script.push({ statusCode: 503, header: {}, data: '' });
  collectForms(h, 4);
  const summary = await h.client.flush();
  assert.deepEqual(h.ingest.received.map((c) => c.value), ['F0', 'F1']);
  assert.deepEqual(h.client.pending().map((c) => c.value), ['F2', 'F3']);
  assert.ok(summary.retryInMs > 0);
});

test('each upload reports the subscription setting as last read; unknown states and an unknown setting are left out', async () => {
  const unknown = harness(quiet);
  collectForms(unknown, 1);
  await unknown.client.flush();
  assert.deepEqual(Object.keys(unknown.ingest.credentialCalls(unknown.wx)[0].data), ['credentials']);

  const h = harness(Object.assign({}, quiet, {
    setupWx: (wx) => {
      wx.subscriptionsSetting = { mainSwitch: false, itemSettings: { A: 'accept', B: 'reject', C: 'ban', D: 'weird' } };
    },
  }));
  await settle();
  collectForms(h, 150);
  await h.client.flush();
  const calls = h.ingest.credentialCalls(h.wx);
  assert.equal(calls.length, 2);
  for (const call of calls) {
    assert.deepEqual(call.data.subscriptions, { mainSwitch: false, itemSettings: { A: 'accept', B: 'reject', C: 'ban' } });
  }
});

test('every wx.request carries a timeout: 10 s by default, requestTimeoutMs when given', async () => {
  const h = harness(quiet);
  collectForms(h, 1);
  await h.client.flush();
  assert.deepEqual(h.wx.requests.map((r) => [r.url.replace(/^.*\/v1\//, ''), r.timeout]), [['sessions', 10000], ['credentials', 10000]]);

  const custom = harness({ options: { uploadThreshold: 1000, requestTimeoutMs: 2500 } });
  collectForms(custom, 1);
  await custom.client.flush();
  assert.deepEqual(custom.wx.requests.map((r) => r.timeout), [2500, 2500]);

  const { createWxpush } = require('../src/wxpush');
  for (const bad of [0, -1, 1.5, '10000']) {
    assert.throws(() => createWxpush({ wx: h.wx, baseUrl: 'https://x', appId: 'a', requestTimeoutMs: bad }), /requestTimeoutMs/);
  }
});
