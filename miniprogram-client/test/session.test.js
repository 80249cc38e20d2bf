'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const { harness, submit } = require('../test-support/harness');

const quiet = { options: { uploadThreshold: 1000 } };

test('the session token is cached in storage and reused across uploads and a restart', async () => {
  const h = harness(quiet);
  h.client.collectFormSubmit(submit('F1'));
  await h.client.flush();
  h.client.collectFormSubmit(submit('F2'));
  await h.client.flush();
  const relaunched = h.restart();
  relaunched.client.collectFormSubmit(submit('F3'));
  await relaunched.client.flush();

  assert.equal(h.wx.logins + relaunched.wx.logins, 1);
  assert.equal(h.ingest.received.length, 3);
});

test('a token about to expire is replaced by a fresh login before use', async () => {
  const h = harness(quiet);
  h.ingest.expiresIn = 600; // seconds
  h.client.collectFormSubmit(submit('F1'));
  await h.client.flush();
  await h.clock.advance(541 * 1000); // inside the last minute of the token's life
  h.client.collectFormSubmit(submit('F2'));
  await h.client.flush();
  assert.equal(h.wx.logins, 2);
  const auths = h.ingest.credentialCalls(h.wx).map((c) => c.header.Authorization);
  assert.deepEqual(auths, ['Bearer tok-1', 'Bearer tok-2']);
});

test('on a 401 the client logs in again once and retries the same batch', async () => {
  const h = harness(quiet);
  h.client.collectFormSubmit(submit('F1'));
  await h.client.flush();
  h.ingest.revokeTokens();

  h.client.collectFormSubmit(submit('F2'));
  const summary = await h.client.flush();

  assert.equal(h.wx.logins, 2);
  const calls = h.ingest.credentialCalls(h.wx);
  assert.deepEqual(calls.map((c) => c.header.Authorization), ['Bearer tok-1', 'Bearer tok-1', 'Bearer tok-2']);
  assert.deepEqual(calls[1].data, calls[2].data);
  assert.equal(summary.accepted, 1);
  assert.deepEqual(h.client.pending(), []);
});

test('a second 401 in a row keeps the credentials and backs off instead of looping', async () => {
  const h = harness(quiet);
  const unauthorized = { statusCode: 401, data: { error: { code: 'unauthorized', message: 'no' } } };
  h.ingest.script.push(unauthorized, unauthorized);
  h.client.collectFormSubmit(submit('F1'));

  const summary = await h.client.flush();
  assert.equal(h.wx.logins, 2);
  assert.equal(h.ingest.credentialCalls(h.wx).length, 2);
  assert.equal(summary.remaining, 1);
  assert.ok(summary.retryInMs > 0);

  await h.clock.advance(summary.retryInMs);
  assert.deepEqual(h.client.pending(), []);
});

test('a failed login (wx.login fail, or a 400/503 from /v1/sessions) never drops credentials', async () => {
  const h = harness(quiet);
  h.client.collectFormSubmit(submit('F1'));
  h.wx.loginFails = true;
  const first = await h.client.flush();
  assert.equal(first.remaining, 1);
  assert.equal(first.dropped, 0);
  h.wx.loginFails = false;

  // A 400 from the login must not be taken for the upload's own 400 (which splits and drops).
  const handle = h.ingest.handle;
  let loginAnswer = { statusCode: 400, data: { error: { code: 'invalid_code', message: 'code been used' } } };
  h.wx.handler = (req) => (req.url.endsWith('/v1/sessions') && loginAnswer ? loginAnswer : handle(req));
  const second = await h.client.flush();
  assert.deepEqual([second.remaining, second.dropped], [1, 0]);

  loginAnswer = { statusCode: 503, header: { 'Retry-After': '45' }, data: '' };
  const third = await h.client.flush();
  assert.equal(third.retryInMs, 45000);

  loginAnswer = null;
  await h.clock.advance(45000);
  assert.deepEqual(h.client.pending(), []);
  assert.equal(h.ingest.received.length, 1);
});

test('concurrent requests needing a token share one login', async () => {
  const h = harness(quiet);
  const { Session } = require('../src/session');
  const session = new Session({
    wx: h.wx, baseUrl: 'https://push.example.com', appId: 'wxapp1', key: 'k', now: h.clock.now, log: () => {},
  });
  const [a, b] = await Promise.all([session.token(), session.token()]);
  assert.equal(a.token, b.token);
  assert.equal(h.wx.logins, 1);
});
