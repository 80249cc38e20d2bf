'use strict';

// Drives the library over real HTTP against a running ingest-api and wechat-sim (with
// Kafka, Redis and a push-worker behind them). Skipped unless all four variables are set:
//   WXPUSH_E2E_INGEST_URL=http://localhost:8080 WXPUSH_E2E_SIM_URL=http://localhost:8090 \
//   WXPUSH_E2E_APP_ID=wx... WXPUSH_E2E_PUSH_API_KEY=... node --test miniprogram-client/test/

const test = require('node:test');
const { runScenario } = require('../test-support/e2e-scenario');

const VARS = ['WXPUSH_E2E_INGEST_URL', 'WXPUSH_E2E_SIM_URL', 'WXPUSH_E2E_APP_ID', 'WXPUSH_E2E_PUSH_API_KEY'];
const missing = VARS.filter((v) => !process.env[v]);

test('credentials collected and uploaded by the library reach the user\'s pool on the live servers', {
  skip: missing.length > 0 ? `set ${missing.join(', ')} to run against live servers` : false,
  timeout: 60000,
}, async () => {
  await runScenario({
    ingestUrl: process.env.WXPUSH_E2E_INGEST_URL,
    simUrl: process.env.WXPUSH_E2E_SIM_URL,
    appId: process.env.WXPUSH_E2E_APP_ID,
    pushApiKey: process.env.WXPUSH_E2E_PUSH_API_KEY,
    limitMs: 30000,
  });
});
