'use strict';

const http = require('node:http');

/**
 * Minimal in-process stand-ins for wechat-sim and ingest-api, speaking exactly the HTTP the
 * e2e scenario uses. They check the Node wx shim and the scenario themselves while the real
 * servers are being built; they are not a model of the real servers' validation.
 * Run standalone with `node miniprogram-client/test-support/stub-servers.js` to get URLs.
 */
async function startStubs({ appId = 'wxstubapp', pushApiKey = 'stub-key' } = {}) {
  const codes = new Map();   // login code → openId
  const tokens = new Map();  // session token → openId
  const pools = new Map();   // openId → credentials
  let seq = 0;

  const sim = await listen(async (req, res, url, body) => {
    const m = url.pathname.match(/^\/sim\/users\/([^/]+)\/([^/]+)\/(login-code|form-ids|prepay-ids)$/);
    if (req.method !== 'POST' || !m) return reply(res, 404, { error: { code: 'not_found', message: url.pathname } });
    const openId = decodeURIComponent(m[2]);
    const count = Number(url.searchParams.get('count') || 1);
    const mint = (p) => Array.from({ length: count }, () => `${p}${++seq}`);
    if (m[3] === 'login-code') { const code = `code${++seq}`; codes.set(code, openId); return reply(res, 200, { code }); }
    if (m[3] === 'form-ids') return reply(res, 200, { formIds: mint('form') });
    return reply(res, 200, { prepayIds: mint('wx_prepay') });
  });

  const ingest = await listen(async (req, res, url, body) => {
    const bearer = (req.headers.authorization || '').replace(/^Bearer /, '');
    if (req.method === 'POST' && url.pathname === '/v1/sessions') {
      const openId = codes.get(body.code);
      if (body.appId !== appId || !openId) return reply(res, 400, { error: { code: 'invalid_code', message: 'bad code' } });
      codes.delete(body.code);
      const token = `tok${++seq}`;
      tokens.set(token, openId);
      return reply(res, 200, { token, openId, expiresIn: 7200 });
    }
    if (req.method === 'POST' && url.pathname === '/v1/credentials') {
      const openId = tokens.get(bearer);
      if (!openId) return reply(res, 401, { error: { code: 'unauthorized', message: 'bad token' } });
      const pool = pools.get(openId) || [];
      pools.set(openId, pool.concat(body.credentials));
      return reply(res, 202, { accepted: body.credentials.length, rejected: [] });
    }
    const m = url.pathname.match(/^\/v1\/users\/([^/]+)\/credentials$/);
    if (req.method === 'GET' && m) {
      if (bearer !== pushApiKey) return reply(res, 401, { error: { code: 'unauthorized', message: 'bad key' } });
      const openId = decodeURIComponent(m[1]);
      const pool = pools.get(openId) || [];
      const grants = {};
      for (const c of pool.filter((x) => x.kind === 'subscription')) grants[c.templateId] = (grants[c.templateId] || 0) + 1;
      const formIds = pool.filter((x) => x.kind === 'form_id').length;
      const prepayIds = pool.filter((x) => x.kind === 'prepay_id').length;
      return reply(res, 200, {
        openId, appId: url.searchParams.get('appId'), formIds, prepayIds,
        sendsLeft: formIds + 3 * prepayIds, soonestExpiry: null, grants,
      });
    }
    return reply(res, 404, { error: { code: 'not_found', message: url.pathname } });
  });

  return {
    simUrl: sim.url, ingestUrl: ingest.url, appId, pushApiKey,
    close: () => Promise.all([sim.close(), ingest.close()]),
  };
}

function listen(route) {
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (d) => { raw += d; });
    req.on('end', () => {
      let body = {};
      try { body = raw ? JSON.parse(raw) : {}; } catch (_) { return reply(res, 400, { error: { code: 'malformed_json', message: 'bad json' } }); }
      route(req, res, new URL(req.url, 'http://stub'), body);
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({
    url: `http://127.0.0.1:${server.address().port}`,
    close: () => new Promise((r) => server.close(r)),
  })));
}

function reply(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

module.exports = { startStubs };

if (require.main === module) {
  startStubs().then((s) => console.log(JSON.stringify({ simUrl: s.simUrl, ingestUrl: s.ingestUrl, appId: s.appId, pushApiKey: s.pushApiKey })));
}
