'use strict';

const assert = require('node:assert/strict');
const { createWxpush } = require('../src/wxpush');
const { createNodeWx } = require('./node-wx');

/**
 * The end-to-end scenario: a user gets 3 formIds, 1 prepay id and 1 subscription grant for
 * TPL_SUB from wechat-sim, the library collects and uploads them to ingest-api, and
 * ingest-api's per-user view then reports exactly those. Waits at most `limitMs` for the
 * credentials to travel ingest-api → Kafka → push-worker → Redis.
 */
async function runScenario({ ingestUrl, simUrl, appId, pushApiKey, limitMs = 30000 }) {
  const ingest = ingestUrl.replace(/\/+$/, '');
  const sim = simUrl.replace(/\/+$/, '');
  // A fresh user per run, so earlier runs' credentials cannot make the counts pass.
  const openId = 'e2e-' + Date.now().toString(36) + '-' + Math.random().toString(36).slice(2, 8);
  const userPath = `${sim}/sim/users/${encodeURIComponent(appId)}/${encodeURIComponent(openId)}`;

  const formIds = (await postJson(`${userPath}/form-ids?count=3`)).formIds;
  const prepayIds = (await postJson(`${userPath}/prepay-ids?count=1`)).prepayIds;
  assert.equal(formIds.length, 3, 'sim minted 3 formIds');
  assert.equal(prepayIds.length, 1, 'sim minted 1 prepay id');

  const wx = createNodeWx({ simUrl: sim, appId, openId });
  const client = createWxpush({ wx, baseUrl: ingest, appId, uploadThreshold: 1000, log: () => {} });
  for (const formId of formIds) assert.equal(client.collectFormSubmit({ detail: { formId } }), true);
  assert.equal(client.collectPrepayId(prepayIds[0]), true);
  assert.equal(client.collectSubscribeResult({ errMsg: 'requestSubscribeMessage:ok', TPL_SUB: 'accept' }), 1);

  const summary = await client.flush();
  client.stop();
  assert.deepEqual({ accepted: summary.accepted, remaining: summary.remaining }, { accepted: 5, remaining: 0 },
    'upload summary: ' + JSON.stringify(summary));

  const expected = { formIds: 3, prepayIds: 1, TPL_SUB: 1 };
  const deadline = Date.now() + limitMs;
  let last;
  for (;;) {
    const res = await fetch(`${ingest}/v1/users/${encodeURIComponent(openId)}/credentials?appId=${encodeURIComponent(appId)}`,
      { headers: { Authorization: `Bearer ${pushApiKey}` } });
    last = res.ok ? await res.json() : { status: res.status, body: await res.text() };
    const seen = { formIds: last.formIds, prepayIds: last.prepayIds, TPL_SUB: last.grants && last.grants.TPL_SUB };
    if (seen.formIds === 3 && seen.prepayIds === 1 && seen.TPL_SUB === 1) {
      assert.equal(last.openId, openId);
      assert.equal(last.appId, appId);
      return last;
    }
    if (Date.now() > deadline) {
      assert.fail(`ingest-api did not report ${JSON.stringify(expected)} within ${limitMs} ms; last answer: ${JSON.stringify(last)}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function postJson(url) {
  const res = await fetch(url, { method: 'POST' });
  const text = await res.text();
  assert.ok(res.ok, `POST ${url} answered ${res.status}: ${text}`);
  return JSON.parse(text);
}

module.exports = { runScenario };
