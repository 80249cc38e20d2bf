'use strict';

const { createWxpush } = require('../src/wxpush');
const { FakeWx, FakeIngest } = require('./fake-wx');
const { FakeClock, settle } = require('./fake-clock');

/**
 * Builds a client over fakes. `restart()` makes a new client over the same storage and
 * server, as an app relaunch would. `overrides.setupWx(wx)` prepares the fake wx first.
 */
function harness(overrides = {}) {
  const clock = overrides.clock || new FakeClock();
  const ingest = overrides.ingest || new FakeIngest();
  const storage = overrides.storage || new Map();
  const logs = [];
  const wx = new FakeWx({ storage, handler: (req) => ingest.handle(req) });
  // Runs before the client exists, e.g. to set what wx.getSetting answers to its first read.
  if (overrides.setupWx) overrides.setupWx(wx);
  let randomCalls = 0;
  const client = createWxpush(Object.assign({
    wx,
    baseUrl: 'https://push.example.com',
    appId: 'wxapp1',
    now: clock.now,
    setTimeout: clock.setTimeout,
    clearTimeout: clock.clearTimeout,
    // Deterministic but varied, so grant ids still differ.
    random: () => ((randomCalls++ * 0.6180339887) % 1),
    log: (msg, fields) => logs.push({ msg, fields }),
  }, overrides.options));
  return {
    client, wx, clock, ingest, storage, logs,
    /** What storage holds right now: what a kill at this moment would leave. */
    stored() {
      const raw = storage.get('wxpush:wxapp1:credentials');
      return raw ? JSON.parse(raw) : [];
    },
    /** A relaunch: the old client's timers die with it, a new client reads the same storage. */
    restart(options) {
      client.stop();
      return harness({ clock, ingest, storage, options: Object.assign({}, overrides.options, options) });
    },
  };
}

let formSeq = 0;
/** A form submit event carrying a fresh formId. */
function submit(formId = 'form-' + (++formSeq)) {
  return { type: 'submit', detail: { formId, value: {} } };
}

module.exports = { harness, submit, settle };
