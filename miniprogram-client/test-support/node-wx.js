'use strict';

/**
 * A `wx` for Node that does real HTTP (global fetch, Node ≥ 18): storage in memory,
 * wx.login through wechat-sim's login-code endpoint for one fixed openId, and wx.request
 * with WeChat's callback shape (`fail` only when no HTTP answer came back).
 *
 * @param {object} opts
 * @param {string} opts.simUrl  wechat-sim root
 * @param {string} opts.appId
 * @param {string} opts.openId  the user every wx.login logs in as
 */
function createNodeWx({ simUrl, appId, openId }) {
  const storage = new Map();
  const base = simUrl.replace(/\/+$/, '');
  return {
    storage,
    getStorageSync: (k) => (storage.has(k) ? JSON.parse(storage.get(k)) : ''),
    setStorageSync: (k, v) => { storage.set(k, JSON.stringify(v)); },
    removeStorageSync: (k) => { storage.delete(k); },
    login({ success, fail }) {
      const url = `${base}/sim/users/${encodeURIComponent(appId)}/${encodeURIComponent(openId)}/login-code`;
      fetch(url, { method: 'POST' })
        .then(async (res) => {
          const body = await res.json();
          if (!res.ok || !body.code) throw new Error(`login-code answered ${res.status}`);
          success({ code: body.code, errMsg: 'login:ok' });
        })
        .catch((err) => fail({ errMsg: 'login:fail ' + err.message }));
    },
    request({ url, method = 'GET', header = {}, data, success, fail }) {
      const hasBody = data !== undefined && method !== 'GET';
      fetch(url, { method, headers: header, body: hasBody ? JSON.stringify(data) : undefined })
        .then(async (res) => {
          const text = await res.text();
          let parsed = text;
          try { parsed = JSON.parse(text); } catch (_) { /* wx hands back the raw string too */ }
          success({ statusCode: res.status, data: parsed, header: Object.fromEntries(res.headers.entries()) });
        })
        .catch((err) => fail({ errMsg: 'request:fail ' + err.message }));
    },
  };
}

module.exports = { createNodeWx };
