'use strict';

const { send } = require('./transport');

/** Refresh this long before the server says the token expires, so it never dies in flight. */
const EXPIRY_MARGIN_MS = 60 * 1000;

/**
 * Session holds the wxpush session token: logs in through wx.login + POST /v1/sessions,
 * caches the token in wx storage with its expiry, and sends authorised requests, logging in
 * again once on a 401.
 */
class Session {
  /**
   * @param {object} opts
   * @param {object} opts.wx
   * @param {string} opts.baseUrl   ingest-api root, no trailing slash
   * @param {string} opts.appId
   * @param {string} opts.key       storage key of the cached token
   * @param {() => number} opts.now epoch ms
   * @param {(msg: string, fields?: object) => void} opts.log
   * @param {number} [opts.timeoutMs=10000] timeout of each wx.request, in ms
   */
  constructor({ wx, baseUrl, appId, key, now, log, timeoutMs = 10000 }) {
    this.wx = wx;
    this.baseUrl = baseUrl;
    this.appId = appId;
    this.key = key;
    this.now = now;
    this.log = log;
    this.timeoutMs = timeoutMs;
    this.loggingIn = null;
  }

  cached() {
    let s;
    try { s = this.wx.getStorageSync(this.key); } catch (_) { return null; }
    if (!s || typeof s.token !== 'string' || typeof s.expiresAt !== 'number') return null;
    return this.now() < s.expiresAt - EXPIRY_MARGIN_MS ? s : null;
  }

  /** Drops the cached token, but only if it is still the one that failed (another login may have replaced it). */
  forget(token) {
    try {
      const s = this.wx.getStorageSync(this.key);
      if (s && s.token === token) this.wx.setStorageSync(this.key, '');
    } catch (_) { /* the next login overwrites it anyway */ }
  }

  /**
   * A valid token, logging in when none is cached. Concurrent callers share one login.
   * @returns {Promise<{ok: true, token: string} | {ok: false, outcome: object}>}
   */
  token() {
    const s = this.cached();
    if (s) return Promise.resolve({ ok: true, token: s.token });
    if (!this.loggingIn) {
      this.loggingIn = this.login().then((r) => { this.loggingIn = null; return r; });
    }
    return this.loggingIn;
  }

  login() {
    return wxLogin(this.wx).then((code) => {
      if (code.error) {
        this.log('wxpush: wx.login failed', { error: code.error });
        return { ok: false, outcome: { loginFailed: true, networkError: 'wx.login: ' + code.error } };
      }
      return send(this.wx, {
        url: this.baseUrl + '/v1/sessions',
        method: 'POST',
        data: { appId: this.appId, code: code.code },
        timeout: this.timeoutMs,
      }).then((res) => {
        const b = res.body;
        if (res.status === 200 && b && typeof b.token === 'string') {
          const expiresIn = typeof b.expiresIn === 'number' ? b.expiresIn : 0;
          const s = { token: b.token, openId: b.openId, expiresAt: this.now() + expiresIn * 1000 };
          try { this.wx.setStorageSync(this.key, s); } catch (_) { /* token is cheap to get again */ }
          return { ok: true, token: b.token };
        }
        this.log('wxpush: login failed', { status: res.status, error: res.networkError || errorCode(b) });
        // Marked as a login failure so that a 400 here is never mistaken for the upload's own 400.
        return { ok: false, outcome: { loginFailed: true, status: res.status, header: res.header, networkError: res.networkError } };
      });
    });
  }

  /**
   * Sends an authorised JSON request. On 401 it drops the token, logs in again and retries
   * once; a second 401 is returned to the caller.
   * @returns {Promise<{status?: number, body?: any, header?: object, networkError?: string, loginFailed?: boolean}>}
   */
  request(method, path, data) {
    const attempt = (retried) => this.token().then((t) => {
      if (!t.ok) return t.outcome;
      return send(this.wx, {
        url: this.baseUrl + path,
        method,
        header: { Authorization: 'Bearer ' + t.token },
        data,
        timeout: this.timeoutMs,
      }).then((res) => {
        if (res.status !== 401 || retried) return res;
        this.forget(t.token);
        return attempt(true);
      });
    });
    return attempt(false);
  }
}

function wxLogin(wx) {
  return new Promise((resolve) => {
    try {
      wx.login({
        success: (r) => resolve(r && r.code ? { code: r.code } : { error: 'no code' }),
        fail: (err) => resolve({ error: String((err && err.errMsg) || err) }),
      });
    } catch (err) {
      resolve({ error: String((err && err.message) || err) });
    }
  });
}

function errorCode(body) {
  return body && body.error && body.error.code;
}

module.exports = { Session, EXPIRY_MARGIN_MS };
