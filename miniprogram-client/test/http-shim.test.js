'use strict';

// Runs the e2e scenario over real HTTP against in-process stubs, so the Node wx shim and the
// scenario itself are known to work before the real ingest-api and wechat-sim exist.

const test = require('node:test');
const { startStubs } = require('../test-support/stub-servers');
const { runScenario } = require('../test-support/e2e-scenario');

test('the e2e scenario passes over real HTTP against stub servers', { timeout: 10000 }, async (t) => {
  const stubs = await startStubs();
  t.after(() => stubs.close());
  await runScenario({ ingestUrl: stubs.ingestUrl, simUrl: stubs.simUrl, appId: stubs.appId, pushApiKey: stubs.pushApiKey, limitMs: 3000 });
});
