'use strict';

const { retryAfterMs } = require('./transport');

/** Statuses meaning "the server refuses this request's content": retrying it unchanged cannot help. */
const CONTENT_REFUSED = new Set([400, 413, 422]);

/**
 * Uploader moves stored credentials to POST /v1/credentials in batches, removing from the
 * store only what a 202 acknowledged, and retrying everything else with exponential backoff.
 * At most one upload runs at a time; a second caller joins the running one.
 */
class Uploader {
  /**
   * @param {object} opts
   * @param {import('./store').CredentialStore} opts.store
   * @param {import('./session').Session} opts.session
   * @param {number} opts.batchSize        credentials per request (≤ 100)
   * @param {number} opts.backoffBaseMs    first retry delay before jitter
   * @param {number} opts.backoffMaxMs     cap of the retry delay before jitter
   * @param {() => number} opts.now        epoch ms
   * @param {Function} opts.setTimeout
   * @param {Function} opts.clearTimeout
   * @param {() => number} opts.random     uniform in [0, 1)
   * @param {(msg: string, fields?: object) => void} opts.log
   * @param {() => object|null} [opts.subscriptions] the user's subscription setting to report, or null when unknown
   */
  constructor(opts) {
    Object.assign(this, opts);
    this.running = null;
    this.timer = null;
    this.retryAt = 0;
    this.failures = 0;
  }

  /** Uploads now, ignoring any backoff; joins the running upload if there is one. */
  flush() {
    if (!this.running) {
      this.cancelRetry();
      this.running = this.run().then(
        (summary) => { this.running = null; return summary; },
        (err) => {
          // Unreachable by design (nothing below rejects); kept so a bug cannot wedge uploads.
          this.running = null;
          this.log('wxpush: upload crashed', { error: String(err && err.stack || err) });
          this.scheduleRetry(undefined);
          return this.summary({ retryInMs: this.retryAt - this.now() });
        });
    }
    return this.running;
  }

  /**
   * Uploads unless a retry is already scheduled for later (then it waits for its turn), or
   * nothing is stored. Used by the automatic triggers (app show, enough gathered).
   */
  poke() {
    if (this.running) return this.running;
    if (this.store.size === 0) return Promise.resolve(this.summary({}));
    const wait = this.retryAt - this.now();
    if (wait > 0) return Promise.resolve(this.summary({ retryInMs: wait, deferred: true }));
    return this.flush();
  }

  // Promise chains rather than async/await: older mini-program base libraries compile
  // async functions only with regenerator-runtime, which this library does not ship.
  run() {
    const totals = { accepted: 0, rejected: 0, dropped: 0 };
    const settled = () => totals.accepted + totals.rejected + totals.dropped;
    const done = () => {
      this.failures = 0;
      return this.summary(totals);
    };
    const next = () => {
      if (this.store.size === 0) return done();
      this.store.purgeExpired();
      const batch = this.store.oldest(this.batchSize);
      if (batch.length === 0) return done();
      const before = settled();
      return this.sendBatch(batch, totals).then((result) => {
        if (result.retry) {
          this.scheduleRetry(result.retryAfterMs);
          return this.summary(Object.assign(totals, { retryInMs: this.retryAt - this.now() }));
        }
        // Defensive: never spin without progress (each pass must settle at least one credential).
        return settled() === before ? done() : next();
      });
    };
    return Promise.resolve().then(next);
  }

  /** Sends one batch; splits it on a content refusal so only the offending credential is dropped. */
  sendBatch(batch, totals) {
    const body = { credentials: batch.map(toWire) };
    // Read per request, so a split or retried batch reports the setting as it is by then.
    const subscriptions = this.subscriptions ? this.subscriptions() : null;
    if (subscriptions) body.subscriptions = subscriptions;
    return this.session.request('POST', '/v1/credentials', body)
      .then((res) => this.classify(batch, res, totals));
  }

  classify(batch, res, totals) {
    if (res.status === 202 && !res.loginFailed) return Promise.resolve(this.acknowledge(batch, res.body, totals));
    if (CONTENT_REFUSED.has(res.status) && !res.loginFailed) {
      if (batch.length > 1) {
        const mid = Math.ceil(batch.length / 2);
        return this.sendBatch(batch.slice(0, mid), totals)
          .then((first) => (first.retry ? first : this.sendBatch(batch.slice(mid), totals)));
      }
      // One credential the server refuses whole: resending it can never succeed.
      this.log('wxpush: server refused a credential; dropping it', {
        status: res.status, kind: batch[0].kind, reason: errorCode(res.body),
      });
      this.store.remove(batch);
      totals.dropped += 1;
      return Promise.resolve({ retry: false });
    }
    this.log('wxpush: upload failed; will retry', {
      status: res.status, error: res.networkError || errorCode(res.body), login: !!res.loginFailed,
    });
    const honoured = res.status === 503 || res.status === 429 ? retryAfterMs(res.header, this.now()) : undefined;
    return Promise.resolve({ retry: true, retryAfterMs: honoured });
  }

  acknowledge(batch, body, totals) {
    const accepted = body && typeof body.accepted === 'number' ? body.accepted : NaN;
    const rejected = body && Array.isArray(body.rejected) ? body.rejected : [];
    const rejectedIdx = new Set();
    for (const r of rejected) {
      if (r && Number.isInteger(r.index) && r.index >= 0 && r.index < batch.length) {
        rejectedIdx.add(r.index);
        this.log('wxpush: server rejected a credential', { kind: batch[r.index].kind, reason: r.reason });
      }
    }
    // Every rejection reason in a 202 is final, so rejected credentials leave the store too.
    const gone = batch.filter((_, i) => rejectedIdx.has(i));
    const rest = batch.filter((_, i) => !rejectedIdx.has(i));
    this.store.remove(gone);
    totals.rejected += gone.length;
    if (accepted === rest.length) {
      this.store.remove(rest);
      totals.accepted += rest.length;
      return { retry: false };
    }
    // We cannot tell which were accepted; resending is harmless (the server's writes are
    // idempotent), dropping might lose one, so keep them all and retry later.
    this.log('wxpush: acknowledgement does not add up; keeping the batch', {
      sent: batch.length, accepted: body && body.accepted, rejected: gone.length,
    });
    return { retry: true };
  }

  scheduleRetry(retryAfter) {
    this.failures += 1;
    const ceiling = Math.min(this.backoffMaxMs, this.backoffBaseMs * Math.pow(2, this.failures - 1));
    // Equal jitter: spread clients out, yet never retry at once after a failure.
    let delay = ceiling / 2 + this.random() * ceiling / 2;
    if (retryAfter !== undefined) delay = Math.max(delay, retryAfter);
    delay = Math.round(delay);
    this.cancelRetry();
    this.retryAt = this.now() + delay;
    this.timer = this.setTimeout(() => {
      this.timer = null;
      this.flush();
    }, delay);
  }

  cancelRetry() {
    if (this.timer !== null) this.clearTimeout(this.timer);
    this.timer = null;
    this.retryAt = 0;
  }

  summary(extra) {
    return Object.assign({ accepted: 0, rejected: 0, dropped: 0, retryInMs: null }, extra,
      { remaining: this.store.size });
  }
}

function toWire(c) {
  return c.kind === 'subscription'
    ? { kind: c.kind, templateId: c.templateId, value: c.value, collectedAt: c.collectedAt }
    : { kind: c.kind, value: c.value, collectedAt: c.collectedAt };
}

function errorCode(body) {
  return body && body.error && body.error.code;
}

module.exports = { Uploader, toWire };
