'use strict';

/**
 * wxpush mini-program client: collects push credentials (formIds, prepay_ids, subscription
 * grants), keeps them in wx storage until the wxpush ingest-api has acknowledged them, and
 * uploads them in batches. Plain JavaScript, no dependencies, no Node built-ins.
 */

const { CredentialStore } = require('./store');
const { Session } = require('./session');
const { Uploader } = require('./uploader');
const { SubscriptionSetting } = require('./subscriptions');
const { Harvester } = require('./harvest');
const { LongTermTemplates } = require('./long-term');

/** What WeChat devtools hands out instead of a real formId. */
const MOCK_FORM_ID = 'the formId is a mock one';
/** The answers to a requestSubscribeMessage that grant: `acceptWithAudio` is a voice-capable template's accept. */
const ACCEPTS = new Set(['accept', 'acceptWithAudio']);
/** The server refuses longer values (README, HTTP API); storing them would only waste room. */
const MAX_VALUE_LENGTH = 128;
const MAX_BATCH = 100;

const DEFAULTS = Object.freeze({
  maxStored: 500,
  batchSize: 100,
  uploadThreshold: 10,
  backoffBaseMs: 2000,
  backoffMaxMs: 5 * 60 * 1000,
  requestTimeoutMs: 10000,
});

/** The client createWxpush made last: what the wxpush-tap component collects into. */
let shared = null;

/**
 * Creates a client. Create one per app (in app.js) and share it; two clients over the same
 * storage would upload the same credentials twice (harmless, but wasteful).
 *
 * @param {object} options
 * @param {object} options.wx              the `wx` global (login, request, getStorageSync, setStorageSync)
 * @param {string} options.baseUrl         ingest-api root, e.g. "https://push.example.com"
 * @param {string} options.appId           the mini-program's appId
 * @param {number} [options.maxStored=500] most credentials kept; beyond it the oldest form_ids are dropped first,
 *                                         then prepay_ids, subscription grants last
 * @param {number} [options.batchSize=100] credentials per upload request, 1..100
 * @param {number} [options.uploadThreshold=10] upload as soon as this many are pending
 * @param {number} [options.backoffBaseMs=2000] first retry delay after a failed upload, in ms (doubles per failure, jittered)
 * @param {number} [options.backoffMaxMs=300000] longest retry delay, in ms (a 503's Retry-After may ask for more)
 * @param {number} [options.requestTimeoutMs=10000] timeout of every wx.request (login and upload), in ms
 * @param {() => number} [options.now=Date.now] clock, epoch ms
 * @param {Function} [options.setTimeout]   scheduler (defaults to the global)
 * @param {Function} [options.clearTimeout]
 * @param {() => number} [options.random=Math.random] uniform in [0, 1): jitter and grant ids
 * @param {(msg: string, fields?: object) => void} [options.log] warnings (defaults to console.warn)
 * @param {string} [options.storageKeyPrefix="wxpush"] prefix of the three storage keys used
 * @param {string[]} [options.longTermTemplateIds=[]] the app's long-term templates (gettemplate's type 3,
 *                                         `"type":"long_term"` in GET /v1/templates); every other id is one-time
 * @param {(failure: {source: 'harvest', errCode: number|null, reason: string, errMsg: string, tmplIds: string[]}) => void} [options.onError]
 *                                         told of every failed harvest call (WeChat's fail code and its reason name)
 * @returns {WxpushClient}
 */
function createWxpush(options) {
  const o = Object.assign({}, DEFAULTS, options);
  requireThat(o.wx && typeof o.wx.request === 'function' && typeof o.wx.login === 'function'
    && typeof o.wx.getStorageSync === 'function' && typeof o.wx.setStorageSync === 'function',
  'wx must provide request, login, getStorageSync and setStorageSync');
  requireThat(typeof o.baseUrl === 'string' && /^https?:\/\//.test(o.baseUrl), 'baseUrl must be an http(s) URL');
  requireThat(typeof o.appId === 'string' && o.appId !== '', 'appId must be a non-empty string');
  requireThat(isPositiveInt(o.maxStored), 'maxStored must be a positive integer');
  requireThat(isPositiveInt(o.batchSize) && o.batchSize <= MAX_BATCH, 'batchSize must be an integer in 1..100');
  requireThat(isPositiveInt(o.uploadThreshold), 'uploadThreshold must be a positive integer');
  requireThat(o.backoffBaseMs > 0 && o.backoffMaxMs >= o.backoffBaseMs, 'backoffBaseMs must be > 0 and ≤ backoffMaxMs');
  requireThat(isPositiveInt(o.requestTimeoutMs), 'requestTimeoutMs must be a positive integer');
  const longTermIds = o.longTermTemplateIds === undefined ? [] : o.longTermTemplateIds;
  requireThat(Array.isArray(longTermIds) && longTermIds.every(usable), 'longTermTemplateIds must be an array of template ids');
  requireThat(o.onError === undefined || typeof o.onError === 'function', 'onError must be a function');

  const now = o.now || (() => Date.now());
  const random = o.random || Math.random;
  const log = o.log || defaultLog;
  const prefix = (o.storageKeyPrefix || 'wxpush') + ':' + o.appId + ':';
  const baseUrl = o.baseUrl.replace(/\/+$/, '');

  const store = new CredentialStore({ wx: o.wx, key: prefix + 'credentials', maxStored: o.maxStored, now, log });
  const session = new Session({
    wx: o.wx, baseUrl, appId: o.appId, key: prefix + 'session', now, log, timeoutMs: o.requestTimeoutMs,
  });
  const setting = new SubscriptionSetting({ wx: o.wx, log });
  const uploader = new Uploader({
    store, session, batchSize: o.batchSize, backoffBaseMs: o.backoffBaseMs, backoffMaxMs: o.backoffMaxMs, now, random, log,
    setTimeout: o.setTimeout || ((fn, ms) => setTimeout(fn, ms)),
    clearTimeout: o.clearTimeout || ((t) => clearTimeout(t)),
    subscriptions: () => setting.get(),
  });
  const longTerm = new LongTermTemplates({ wx: o.wx, key: prefix + 'longterm', longTermIds, now, log });
  const harvester = new Harvester({ wx: o.wx, setting, longTerm, collect: collectGrants, usable, onError: o.onError, log });
  let grantSeq = 0;

  /** What an app show does: read the setting again, then upload what is pending (with it). */
  function shown() {
    return setting.refresh().then(() => uploader.poke());
  }
  // Registered here so that apps need not forward App.onShow (older versions asked them to).
  // Created in app.js, the listener is in place before the launch's own show, so that show
  // uploads what earlier sessions left behind; creating the client itself sends nothing.
  const onAppShow = () => { shown(); };
  if (typeof o.wx.onAppShow === 'function') o.wx.onAppShow(onAppShow);
  // Read once now, so the first tap already finds the setting cached.
  setting.refresh();

  function collected(c) {
    const added = store.add(c);
    if (added && store.size >= o.uploadThreshold) uploader.poke();
    return added;
  }

  function grantId(templateId) {
    // Unique per accept, also across restarts and devices: time + per-process counter + randomness.
    grantSeq += 1;
    const rnd = Math.floor(random() * 0x100000000).toString(36) + Math.floor(random() * 0x100000000).toString(36);
    return 'g' + now().toString(36) + '-' + grantSeq.toString(36) + '-' + rnd;
  }

  /**
   * Stores one grant (unique id) per template answered 'accept' or 'acceptWithAudio' in a
   * requestSubscribeMessage result; 'reject', 'ban' and 'filter' grant nothing. A long-term
   * template's accept is stored only when it is not already known accepted (a standing
   * permission is uploaded once); its 'reject'/'ban' forgets that. Returns how many were stored.
   */
  function collectGrants(result) {
    if (!result || typeof result !== 'object') return 0;
    let n = 0;
    for (const templateId of Object.keys(result)) {
      if (templateId === 'errMsg' || templateId === 'errCode' || !usable(templateId)) continue;
      const answer = result[templateId];
      const standing = longTerm.isLongTerm(templateId);
      if (!ACCEPTS.has(answer)) {
        if (standing && (answer === 'reject' || answer === 'ban')) longTerm.forget(templateId);
        continue;
      }
      if (standing && longTerm.isAccepted(templateId)) continue;
      if (store.add({ kind: 'subscription', templateId, value: grantId(templateId), collectedAt: now() })) {
        n++;
        if (standing) longTerm.recordAccept(templateId);
      }
    }
    if (n > 0 && store.size >= o.uploadThreshold) uploader.poke();
    return n;
  }

  /** @typedef {{accepted: number, rejected: number, dropped: number, remaining: number, retryInMs: number|null, deferred?: boolean}} UploadSummary */

  /** @typedef {object} WxpushClient */
  const client = {
    /**
     * Collects the formId of a `<form report-submit="true">` submit event. Ignores devtools'
     * mock formId, empty values and values over 128 characters.
     * @param {{detail?: {formId?: string}}} e the bindsubmit event
     * @returns {boolean} true when a new formId was stored
     */
    collectFormSubmit(e) {
      const formId = e && e.detail && e.detail.formId;
      if (!usable(formId) || formId === MOCK_FORM_ID) return false;
      return collected({ kind: 'form_id', value: formId, collectedAt: now() });
    },

    /**
     * Collects a prepay_id after a payment. Accepts the bare id or wx.requestPayment's
     * `package` string ("prepay_id=…").
     * @param {string} prepayId
     * @returns {boolean} true when a new prepay_id was stored
     */
    collectPrepayId(prepayId) {
      const id = typeof prepayId === 'string' ? prepayId.replace(/^prepay_id=/, '') : prepayId;
      if (!usable(id)) return false;
      return collected({ kind: 'prepay_id', value: id, collectedAt: now() });
    },

    /**
     * Collects the result of wx.requestSubscribeMessage: every template answered 'accept' or
     * 'acceptWithAudio' becomes one grant with a fresh unique id — a long-term one only when
     * not already known accepted; 'reject', 'ban' and 'filter' grant nothing.
     * @param {Object<string, string>} result templateId → 'accept'|'acceptWithAudio'|'reject'|'ban'|'filter', plus errMsg
     * @returns {number} how many grants were stored
     */
    collectSubscribeResult(result) {
      return collectGrants(result);
    },

    /**
     * Call from a tap handler (bindtap, bindsubmit, or a payment callback), before any
     * `await`: makes one wx.requestSubscribeMessage call — synchronously, inside this call, as
     * WeChat requires — for templates of one kind only (WeChat refuses a mix): long-term ones
     * not yet known accepted first, and when both kinds have something to ask, the kinds
     * alternate tap after tap. Within a kind: the templates the user keeps as 'accept' (no
     * popup; each accept is one more grant), at most 3; when none is kept, the given `tmplIds`
     * not kept as 'reject'/'ban' (this shows the popup). A long-term template known accepted
     * is not asked again. Asks nothing when the user turned subscriptions off. Uses the
     * setting cached from wx.getSetting; before the first read, the given ids. Every accept
     * (and 'acceptWithAudio') is stored as a grant, a long-term one once. Never throws: a
     * failed call resolves with `errCode`/`reason` and is handed to `onError`.
     * @param {Array<string|{id: string, type?: 'one_time'|'long_term'}>|string} [tmplIds] the templates this page cares about
     * @returns {Promise<{asked: string[], granted: number, errMsg?: string, errCode?: number|null, reason?: string}>} never rejects
     */
    harvest(tmplIds) {
      return harvester.harvest(tmplIds);
    },

    /**
     * Forgets that the user accepted these long-term templates (all, when none given), so the
     * next harvest asks for them again — call it when your server learnt the permission ended
     * (a 43101, or a settings reject the client did not see).
     * @param {string[]|string} [templateIds]
     * @returns {number} how many recorded accepts were forgotten
     */
    forgetLongTermAccepts(templateIds) {
      return longTerm.forget(templateIds);
    },

    /**
     * The user's subscription setting as last read (what uploads report), or null before the
     * first read or when the base library cannot tell.
     * @returns {{mainSwitch: boolean, itemSettings: Object<string, 'accept'|'reject'|'ban'>} | null}
     */
    subscriptionSetting() {
      const s = setting.get();
      return s && { mainSwitch: s.mainSwitch, itemSettings: Object.assign({}, s.itemSettings) };
    },

    /**
     * Kept for apps that still call it from App.onShow; the client now listens to
     * wx.onAppShow itself, and a second call joins the same upload. Reads the subscription
     * setting again, then uploads what is pending unless a retry is already scheduled for
     * later (mini-program timers stall in the background, so a due retry runs here).
     * @returns {Promise<UploadSummary>} never rejects
     */
    onShow() {
      return shown();
    },

    /**
     * Uploads everything pending now, ignoring backoff; joins an upload already running.
     * @returns {Promise<UploadSummary>} never rejects; `retryInMs` is set when a retry was scheduled
     */
    flush() {
      return uploader.flush();
    },

    /**
     * A snapshot of the credentials not yet acknowledged by the server, oldest first.
     * @returns {Array<{kind: string, value: string, templateId?: string, collectedAt: number}>}
     */
    pending() {
      return store.oldest(Infinity);
    },

    /**
     * Teardown (tests, or replacing the client): cancels a scheduled retry and stops listening
     * to wx.onAppShow. Stored credentials stay stored.
     */
    stop() {
      uploader.cancelRetry();
      if (typeof o.wx.offAppShow === 'function') o.wx.offAppShow(onAppShow);
      if (shared === client) shared = null;
    },
  };
  shared = client;
  return client;
}

/**
 * The client createWxpush created last (and has not been stopped), or null: the wxpush-tap
 * component collects its formIds into it, so pages need not wire the component to anything.
 * @returns {WxpushClient|null}
 */
function sharedClient() {
  return shared;
}

function usable(v) {
  return typeof v === 'string' && v.trim() !== '' && v.length <= MAX_VALUE_LENGTH;
}

function isPositiveInt(n) {
  return Number.isInteger(n) && n > 0;
}

function requireThat(ok, message) {
  if (!ok) throw new Error('wxpush: ' + message);
}

function defaultLog(msg, fields) {
  if (typeof console !== 'undefined') console.warn(msg, fields || '');
}

module.exports = { createWxpush, sharedClient, MOCK_FORM_ID };
