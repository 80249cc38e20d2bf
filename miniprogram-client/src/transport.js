'use strict';

/**
 * Turns callback-style wx.request into a Promise of {status, body, header}, or of
 * {networkError} when the request never got an HTTP answer. It never rejects, so callers
 * classify every outcome in one place.
 *
 * `timeout` (ms) is always passed on: without it wx.request waits for the app-wide
 * networkTimeout (60 s by default), and an upload stuck that long blocks every later one.
 */
function send(wx, { url, method, header, data, timeout }) {
  return new Promise((resolve) => {
    let settled = false;
    const once = (v) => { if (!settled) { settled = true; resolve(v); } };
    try {
      wx.request({
        url,
        method,
        header: Object.assign({ 'content-type': 'application/json' }, header),
        data,
        dataType: 'json',
        timeout,
        success(res) {
          once({ status: res.statusCode, body: parseBody(res.data), header: res.header || {} });
        },
        fail(err) {
          once({ networkError: String((err && err.errMsg) || err || 'request failed') });
        },
      });
    } catch (err) {
      once({ networkError: String((err && err.message) || err) });
    }
  });
}

function parseBody(data) {
  if (typeof data !== 'string') return data;
  try { return JSON.parse(data); } catch (_) { return data; }
}

/** Reads a response header whatever its case (WeChat's base library does not normalise it). */
function headerValue(header, name) {
  const wanted = name.toLowerCase();
  for (const k of Object.keys(header || {})) {
    if (k.toLowerCase() === wanted) return header[k];
  }
  return undefined;
}

/**
 * Retry-After as ms (delta-seconds or an HTTP date), or undefined when absent or unreadable.
 * @param {object} header response header
 * @param {number} nowMs current epoch ms, for the HTTP-date form
 */
function retryAfterMs(header, nowMs) {
  const v = headerValue(header, 'retry-after');
  if (v === undefined || v === null || v === '') return undefined;
  const s = String(v).trim();
  if (/^\d+(\.\d+)?$/.test(s)) return Math.round(parseFloat(s) * 1000);
  const at = Date.parse(s);
  return isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

module.exports = { send, headerValue, retryAfterMs };
