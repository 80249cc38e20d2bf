'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const { harness, submit } = require('../test-support/harness');

const DAY = 24 * 60 * 60 * 1000;
const quiet = { options: { uploadThreshold: 1000 } };

test('collected credentials survive a restart (a new client over the same storage)', () => {
  const h = harness(quiet);
  h.client.collectFormSubmit(submit('F1'));
  h.client.collectPrepayId('P1');
  h.client.collectSubscribeResult({ TPL: 'accept' });
  const before = h.client.pending();

  const relaunched = h.restart();
  assert.deepEqual(relaunched.client.pending(), before);
});

test('every collect is written to storage at once, before any upload', () => {
  const h = harness(quiet);
  h.client.collectFormSubmit(submit('F1'));
  // The app may be killed right after the tap: storage, not memory, must already hold it.
  const raw = JSON.parse([...h.storage.values()].find((v) => v.includes('F1')));
  assert.deepEqual(raw.map((c) => c.value), ['F1']);
});

test('a duplicate is refused after a restart too', () => {
  const h = harness(quiet);
  h.client.collectFormSubmit(submit('F1'));
  const relaunched = h.restart();
  assert.equal(relaunched.client.collectFormSubmit(submit('F1')), false);
  assert.equal(relaunched.client.pending().length, 1);
});

test('form_ids and prepay_ids expire after 7 days; subscription grants never do', async () => {
  const h = harness(quiet);
  h.client.collectFormSubmit(submit('OLD_F'));
  h.client.collectPrepayId('OLD_P');
  h.client.collectSubscribeResult({ TPL: 'accept' });
  await h.clock.advance(DAY);
  h.client.collectFormSubmit(submit('NEW_F'));

  await h.clock.advance(6 * DAY); // OLD_* are now exactly 7 days old
  const relaunched = h.restart();
  assert.deepEqual(relaunched.client.pending().map((c) => c.value === 'NEW_F' ? 'NEW_F' : c.kind),
    ['subscription', 'NEW_F']);

  await h.clock.advance(365 * DAY);
  assert.deepEqual(h.restart().client.pending().map((c) => c.kind), ['subscription']);
});

test('expired credentials are dropped before upload, never sent', async () => {
  const h = harness(quiet);
  h.client.collectFormSubmit(submit('OLD'));
  await h.clock.advance(7 * DAY);
  h.client.collectFormSubmit(submit('NEW'));
  const summary = await h.client.flush();
  assert.deepEqual(h.ingest.received.map((c) => c.value), ['NEW']);
  assert.equal(summary.remaining, 0);
});

test('the store is bounded: over maxStored the oldest form_ids go first, grants last', async () => {
  const h = harness({ options: { uploadThreshold: 1000, maxStored: 4 } });
  h.client.collectSubscribeResult({ TPL: 'accept' });
  await h.clock.advance(1);
  h.client.collectPrepayId('P1');
  for (const id of ['F1', 'F2', 'F3']) {
    await h.clock.advance(1);
    h.client.collectFormSubmit(submit(id));
  }
  assert.deepEqual(h.client.pending().map((c) => c.templateId || c.value), ['TPL', 'P1', 'F2', 'F3']);
  assert.ok(h.logs.some((l) => /store full/.test(l.msg)), 'the drop is logged');

  // With no form_ids left, prepay_ids go before grants.
  const g = harness({ options: { uploadThreshold: 1000, maxStored: 2 } });
  g.client.collectSubscribeResult({ TPL: 'accept' });
  g.client.collectPrepayId('P1');
  g.client.collectSubscribeResult({ TPL2: 'accept' });
  assert.deepEqual(g.client.pending().map((c) => c.kind), ['subscription', 'subscription']);
});

test('when storage cannot be written, credentials are kept in memory and still uploaded', async () => {
  const h = harness(quiet);
  h.wx.failWrites = true;
  assert.equal(h.client.collectFormSubmit(submit('F1')), true);
  assert.ok(h.logs.some((l) => /could not persist/.test(l.msg)));
  await h.client.flush();
  assert.deepEqual(h.ingest.received.map((c) => c.value), ['F1']);
});

test('unreadable or malformed stored data is ignored rather than crashing the app', () => {
  const h = harness(quiet);
  h.storage.set('wxpush:wxapp1:credentials', JSON.stringify([
    { kind: 'form_id', value: 'GOOD', collectedAt: h.clock.now() },
    { kind: 'form_id', value: 'GOOD', collectedAt: h.clock.now() },
    { kind: 'form_id' }, null, 'junk',
  ]));
  assert.deepEqual(h.restart().client.pending().map((c) => c.value), ['GOOD']);
  h.storage.set('wxpush:wxapp1:credentials', JSON.stringify('{not json'));
  assert.deepEqual(h.restart().client.pending(), []);
});
