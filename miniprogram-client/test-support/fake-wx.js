'use strict';

/**
 * A fake `wx` with the parts the client uses: sync storage (values JSON-copied, as WeChat
 * serialises them), wx.login handing out codes, callback-style wx.request routed to a
 * handler, wx.getSetting answering `subscriptionsSetting`, wx.requestSubscribeMessage with
 * WeChat's tap rule and its fail codes (10001 no ids, 20002 one-time and long-term mixed,
 * 20003 too many ids, 20004 main switch off; any other through `subscribeFailure`), and
 * wx.onAppShow listeners fired by show(). Every call answers asynchronously, like the real thing.
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
    /** What wx.getSetting reports; undefined, as on base libraries before 2.10.1. */
    this.subscriptionsSetting = undefined;
    /** Set to true to leave wx.getSetting calls unanswered (a slow first read). */
    this.holdSettings = false;
    this.settingReads = 0;
    /** True only while tap() runs its function: WeChat's "user TAP gesture". */
    this.inTap = false;
    this.subscribeCalls = [];
    /** The popup's answer for a template the user has not kept a choice for. */
    this.popupAnswer = () => 'accept';
    /** Set to true to tick "always keep this choice" in the popups from now on. */
    this.keepChoice = false;
    /** Set to {errMsg, errCode} to make requestSubscribeMessage fail, or 'throw' to make it throw. */
    this.subscribeFailure = null;
    /** Answers added to every requestSubscribeMessage result besides the asked ids. */
    this.extraAnswers = {};
    /** The long-term templates: a call mixing them with one-time ids fails with 20002. */
    this.longTermIds = new Set();
    /** Voice-capable templates: an accept of one asked alone answers 'acceptWithAudio'. */
    this.audioIds = new Set();
    /** Most ids one call may carry (WeChat: 3; ⚠ newer docs 5); more fail with 20003. */
    this.maxPerCall = 3;
    this.showListeners = new Set();
  }

  getSetting({ withSubscriptions, success }) {
    this.settingReads += 1;
    if (this.holdSettings) return;
    const res = { errMsg: 'getSetting:ok', authSetting: {} };
    if (withSubscriptions && this.subscriptionsSetting) res.subscriptionsSetting = JSON.parse(JSON.stringify(this.subscriptionsSetting));
    Promise.resolve().then(() => success(res));
  }

  /**
   * Runs fn as a tap handler would run: WeChat allows requestSubscribeMessage only until the
   * handler's synchronous code ends, so anything it does after an await is outside the tap.
   */
  tap(fn) {
    this.inTap = true;
    try { return fn(); } finally { this.inTap = false; }
  }

  requestSubscribeMessage({ tmplIds, success, fail, complete }) {
    const call = { tmplIds: tmplIds.slice(), inTap: this.inTap };
    this.subscribeCalls.push(call);
    if (this.subscribeFailure === 'throw') throw new Error('requestSubscribeMessage exploded');
    const failure = !this.inTap
      ? { errMsg: 'requestSubscribeMessage:fail can only be invoked by user TAP gesture.', errCode: 10005 }
      : this.subscribeFailure || this.refusal(tmplIds);
    Promise.resolve().then(() => {
      if (failure) {
        if (failure.onlyComplete) { if (complete) complete({}); return; }
        if (fail) fail(failure);
      } else {
        const items = (this.subscriptionsSetting && this.subscriptionsSetting.itemSettings) || {};
        const kept = Object.assign({}, items);
        const res = { errMsg: 'requestSubscribeMessage:ok' };
        for (const id of tmplIds) {
          // A kept choice answers silently; any other id is answered in the popup.
          res[id] = items[id] || this.popupAnswer(id);
          if (!items[id] && res[id] !== 'filter') kept[id] = res[id];
          // The answer says so; a kept choice is still 'accept'.
          if (res[id] === 'accept' && tmplIds.length === 1 && this.audioIds.has(id)) res[id] = 'acceptWithAudio';
        }
        if (this.keepChoice && this.subscriptionsSetting) this.subscriptionsSetting.itemSettings = kept;
        if (success) success(Object.assign({}, this.extraAnswers, res));
      }
      if (complete) complete({});
    });
  }

  /** What WeChat itself refuses in a call's ids (WECHAT-API.md "Long-term subscriptions"), or null. */
  refusal(tmplIds) {
    const fail = (errCode, why) => ({ errMsg: 'requestSubscribeMessage:fail ' + why, errCode });
    if (tmplIds.length === 0) return fail(10001, 'TmplIds can\'t be empty');
    if (tmplIds.length > this.maxPerCall) return fail(20003, 'templates count out of max bounds');
    const longTerm = tmplIds.filter((id) => this.longTermIds.has(id)).length;
    if (longTerm > 0 && longTerm < tmplIds.length) return fail(20002, 'Templates types are not same');
    if (this.subscriptionsSetting && this.subscriptionsSetting.mainSwitch === false) return fail(20004, 'main switch is off');
    return null;
  }

  onAppShow(listener) {
    this.showListeners.add(listener);
  }

  offAppShow(listener) {
    this.showListeners.delete(listener);
  }

  /** The app comes to the foreground. */
  show() {
    for (const l of this.showListeners) l({ path: 'pages/index/index', scene: 1001, query: {} });
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
    const copy = { url: req.url, method: req.method, header: req.header, timeout: req.timeout, data: JSON.parse(JSON.stringify(req.data)) };
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
