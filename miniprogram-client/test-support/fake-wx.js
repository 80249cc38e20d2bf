'use strict';

/**
 * A fake `wx` with the parts the client uses: sync storage (values JSON-copied, as WeChat
 * serialises them), wx.login handing out codes, and callback-style wx.request routed to a
 * handler. Every call answers asynchronously, like the real thing.
 */
class FakeWx {
  /**
   * @param {object} opts
   * @param {Map} [opts.storage]  share one Map between instances to simulate a restart
   * @param {(req) => any} opts.handler  returns {statusCode, data, header} | {fail: errMsg}, or a Promise of one
   */
  constructor({ storage = new Map(), handler } = {}) {
    this.storage = storage;
    this.handler = handler;
    this.requests = [];
    this.logins = 0;
    this.loginFails = false;
    this.failWrites = false;
  }

  getStorageSync(key) {
    return this.storage.has(key) ? JSON.parse(this.storage.get(key)) : '';
  }

  setStorageSync(key, value) {
    if (this.failWrites) throw { errMsg: 'setStorageSync:fail exceed storage max size 10Mb' };
    this.storage.set(key, JSON.stringify(value));
  }

  removeStorageSync(key) {
    this.storage.delete(key);
  }

  login({ success, fail }) {
    this.logins += 1;
    const n = this.logins;
    Promise.resolve().then(() => (this.loginFails ? fail({ errMsg: 'login:fail' }) : success({ code: 'code-' + n, errMsg: 'login:ok' })));
  }

  request(req) {
    const copy = { url: req.url, method: req.method, header: req.header, data: JSON.parse(JSON.stringify(req.data)) };
    this.requests.push(copy);
    Promise.resolve(this.handler(copy)).then((res) => {
      if (res.fail) req.fail({ errMsg: 'request:fail ' + res.fail });
      else req.success({ statusCode: res.statusCode, data: res.data, header: res.header || {} });
    });
  }
}

/**
 * A scripted stand-in for ingest-api's /v1/sessions and /v1/credentials. By default it logs
 * anyone in and accepts every credential; push answers onto `script` to override the next
 * /v1/credentials calls (a function gets the request, an object is the answer).
 */
class FakeIngest {
  constructor() {
    this.tokens = new Set();
    this.issued = 0;
    this.expiresIn = 7200;
    this.received = [];
    this.script = [];
    this.handle = this.handle.bind(this);
  }

  handle(req) {
    if (req.url.endsWith('/v1/sessions')) {
      this.issued += 1;
      const token = 'tok-' + this.issued;
      this.tokens.add(token);
      return { statusCode: 200, data: { token, openId: 'o-user', expiresIn: this.expiresIn } };
    }
    if (req.url.endsWith('/v1/credentials')) {
      const auth = req.header.Authorization || '';
      if (!this.tokens.has(auth.replace(/^Bearer /, ''))) {
        return { statusCode: 401, data: { error: { code: 'unauthorized', message: 'bad token' } } };
      }
      const next = this.script.shift();
      if (next) return typeof next === 'function' ? next(req) : next;
      return this.accept(req);
    }
    return { statusCode: 404, data: { error: { code: 'not_found', message: req.url } } };
  }

  /** The normal answer: every credential accepted. */
  accept(req) {
    this.received.push(...req.data.credentials);
    return { statusCode: 202, data: { accepted: req.data.credentials.length, rejected: [] } };
  }

  /** Invalidates every issued token, as a restarted server with a new signing key would. */
  revokeTokens() {
    this.tokens.clear();
  }

  credentialCalls(wx) {
    return wx.requests.filter((r) => r.url.endsWith('/v1/credentials'));
  }
}

module.exports = { FakeWx, FakeIngest };
