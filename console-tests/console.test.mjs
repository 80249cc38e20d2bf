// Browser tests of the operator console, in headless Chromium (Debian's, driven by playwright-core).
// Run by system-tests' ConsoleBrowserIT against a running ingest-api, push-worker and wechat-sim,
// with: WXPUSH_URL, WXPUSH_KEY (an admin key for every app), WXPUSH_KEY_B (scoped to WXPUSH_APP_B),
// WXPUSH_KEY_VIEWER and WXPUSH_KEY_OPERATOR (keys with @viewer / @operator), WXPUSH_APP,
// WXPUSH_APP_B, WXPUSH_USERS (the broadcast's users, comma separated; the last ones hold no
// credential), WXPUSH_SUB_USER (holds a grant of TPL_SUB), WXPUSH_REVOKED_USER (holds one here, but
// WeChat answers 43101: the user turned the template off), SCREENSHOTS (a directory), and
// DOC_IMAGES (docs/images: the Chinese console's screenshots the README shows).
// Each feature is its own test; every check that can be read through the API is read there too.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { chromium } from 'playwright-core';

const URL = process.env.WXPUSH_URL;
const KEY = process.env.WXPUSH_KEY;
const KEY_B = process.env.WXPUSH_KEY_B;
const KEY_VIEWER = process.env.WXPUSH_KEY_VIEWER;
const KEY_OPERATOR = process.env.WXPUSH_KEY_OPERATOR;
const APP = process.env.WXPUSH_APP;
const APP_B = process.env.WXPUSH_APP_B;
const USERS = (process.env.WXPUSH_USERS || '').split(',').filter(Boolean);
const SUB_USER = process.env.WXPUSH_SUB_USER;
const REVOKED_USER = process.env.WXPUSH_REVOKED_USER;
const SHOTS = process.env.SCREENSHOTS || 'target/screenshots';
const DOC_IMAGES = process.env.DOC_IMAGES;
const EXPIRES = 60_000;
/** How the console writes a time in a table (the zone in the column header): 2026-12-02 19:32. */
const TABLE_TIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/;

let browser;
let page;
let broadcast; // the requestId of the broadcast the second test sends
const SUB_PUSH = { appId: APP, kind: 'subscribe', templateId: 'TPL_SUB', data: { thing1: 'Your parcel is here' } };

async function api(method, path, body, key = KEY) {
  const res = await fetch(URL + path, {
    method, headers: { Authorization: 'Bearer ' + key, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : null };
}

async function until(what, fn, ms = EXPIRES) {
  const end = Date.now() + ms;
  let last;
  while (Date.now() < end) {
    last = await fn();
    if (last) return last;
    await new Promise(r => setTimeout(r, 200));
  }
  throw new Error('timed out waiting for ' + what + ' (last: ' + JSON.stringify(last) + ')');
}

/** A screenshot into SCREENSHOTS, and into docs/images as {@code doc} when given (the README's pictures). */
async function shot(name, doc) {
  await page.screenshot({ path: SHOTS + '/' + name + '.png', fullPage: true });
  if (doc && DOC_IMAGES) await page.screenshot({ path: DOC_IMAGES + '/' + doc + '.png', fullPage: true });
}

async function signIn(key) {
  await page.goto(URL + '/console');
  if (await page.isVisible('#sign-out')) {
    await page.click('#sign-out');
    await page.waitForSelector('#sign-in:not([hidden])');
  }
  await page.fill('#key', key);
  await page.click('#sign-in-form button[type=submit]');
  await page.waitForSelector('#nav:not([hidden])');
  await page.goto(URL + '/console#/pushes');
  await page.waitForSelector('#pushes');
}

async function visibleNav() {
  return page.$$eval('nav a', as => as.filter(a => !a.hidden).map(a => a.dataset.page));
}

const pageErrors = [];

before(async () => {
  for (const v of ['WXPUSH_URL', 'WXPUSH_KEY', 'WXPUSH_KEY_B', 'WXPUSH_KEY_VIEWER', 'WXPUSH_KEY_OPERATOR', 'WXPUSH_APP', 'WXPUSH_APP_B', 'WXPUSH_SUB_USER', 'WXPUSH_REVOKED_USER']) {
    assert.ok(process.env[v], v + ' is required');
  }
  mkdirSync(SHOTS, { recursive: true });
  if (DOC_IMAGES) mkdirSync(DOC_IMAGES, { recursive: true });
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  // an English-speaking browser in New York: the console speaks Chinese and shows Beijing time all the same
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, locale: 'en-US', timezoneId: 'America/New_York' });
  page = await context.newPage();
  page.on('pageerror', e => pageErrors.push(e.message));
  page.on('dialog', d => d.accept()); // the console asks before cancelling or retrying: the operator says yes
});

after(async () => { if (browser) await browser.close(); });

test('the message table has every key the console names, in Chinese and in English', () => {
  const dir = new globalThis.URL('../ingest-api/src/main/resources/console/', import.meta.url);
  const window = {};
  new Function('window', readFileSync(new globalThis.URL('messages.js', dir), 'utf8'))(window);
  const table = window.WXPUSH_MESSAGES;
  const used = new Set();
  for (const f of readdirSync(dir).filter(f => /\.(js|html)$/.test(f) && f !== 'messages.js')) {
    const src = readFileSync(new globalThis.URL(f, dir), 'utf8');
    for (const m of src.matchAll(/\bt\('([\w.-]+)'/g)) used.add(m[1]);
    for (const m of src.matchAll(/data-i18n="([\w.-]+)"/g)) used.add(m[1]);
  }
  assert.ok(used.size > 100, 'keys found: ' + used.size);
  // a key ending in '.' is the stem of keys made at run time (t('state.' + s)): some key must start with it
  const has = (l, k) => (k.endsWith('.') ? Object.keys(table[l]).some(x => x.startsWith(k)) : k in table[l]);
  const missing = [...used].flatMap(k => ['zh-CN', 'en'].filter(l => !has(l, k)).map(l => l + ' ' + k));
  assert.deepEqual(missing, []);
  // English describes keyword limits with the server's own words, so only those keys are Chinese-only
  const zhOnly = Object.keys(table['zh-CN']).filter(k => !(k in table.en) && !k.startsWith('limit.'));
  assert.deepEqual(zhOnly, []);
  assert.deepEqual(Object.keys(table.en).filter(k => !(k in table['zh-CN'])), []);
});

test('a wrong key is refused and a good one signs in, to a console in Chinese', async () => {
  await page.goto(URL + '/console');
  assert.equal(await page.textContent('#sign-in h1'), '登录');
  await page.fill('#key', 'not-a-key-of-this-deployment-000');
  await page.click('#sign-in-form button[type=submit]');
  await page.waitForFunction(() => document.getElementById('sign-in-error').textContent.length > 0);
  assert.equal(await page.isVisible('#nav'), false);
  await signIn(KEY);
  assert.ok(await page.isVisible('#pushes'));
  assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN');
  assert.equal(await page.textContent('nav a[data-page="pushes"]'), '推送');
  assert.equal(await page.textContent('#page h1'), '推送');
});

test('a running broadcast\'s bar moves to 100 %; its page groups the reasons, shows Beijing time and no Cancel once done', async () => {
  const push = await api('POST', '/v1/pushes', { appId: APP, kind: 'template', templateId: 'TPL_ORDER',
    data: { keyword1: 'console test' }, audience: { openIds: USERS } });
  assert.equal(push.status, 202, JSON.stringify(push.json));
  const rid = push.json.requestId;
  broadcast = rid;
  await page.goto(URL + '/console#/pushes?appId=' + APP);
  const pct = `tr[data-request-id="${rid}"] [data-pct]`;
  await page.waitForSelector(pct);
  const seen = new Set();
  await until('the bar to reach 100 %', async () => {
    const v = Number(await page.getAttribute(pct, 'data-pct'));
    seen.add(v);
    if (v > 0 && v < 100 && !seen.has('shot')) { seen.add('shot'); await shot('pushes', 'console-pushes'); }
    return v === 100;
  }, 120_000);
  const values = [...seen].filter(v => typeof v === 'number');
  assert.ok(values.some(v => v < 100), 'the bar was seen below 100 %: ' + values);
  assert.ok(values.length >= 2, 'the bar moved without a reload: ' + values);
  if (!seen.has('shot')) await shot('pushes', 'console-pushes');
  // times in the app's zone (no quiet hours set: Beijing time), written the one way, the zone named
  assert.match(await page.textContent('#pushes th:last-child'), /\(Asia\/Shanghai\)$/);
  const created = await page.textContent(`tr[data-request-id="${rid}"] td:last-child`);
  assert.match(created, TABLE_TIME);
  const status = (await api('GET', '/v1/pushes/' + rid)).json;
  const beijing = new Date(status.timeline.createdAt + 8 * 3600_000).toISOString().slice(0, 16).replace('T', ' ');
  assert.equal(created, beijing);

  await page.click(`tr[data-request-id="${rid}"] a`);
  await page.waitForSelector('#reasons-chart[data-reasons*="none="]');
  const reasons = await page.getAttribute('#reasons-chart', 'data-reasons');
  assert.equal(reasons, Object.entries(status.byReason).sort((a, b) => b[1] - a[1]).map(e => e[0] + '=' + e[1]).join(','));
  // users without a credential are skipped, not failed: their own group, colour and label
  assert.match(await page.getAttribute('#reasons-chart', 'data-groups'), /(^|,)none=skipped(,|$)/);
  assert.equal(await page.getAttribute('#reasons-legend [data-group="skipped"]', 'data-total'), String(status.byReason.none));
  assert.equal(await page.getAttribute('#reasons-legend [data-group="failed"]', 'data-total'), '0');
  assert.match(await page.textContent('#reasons-legend [data-group="skipped"]'), /跳过/);
  const colours = await page.$$eval('#reasons-legend .swatch', s => s.map(e => getComputedStyle(e).backgroundColor));
  assert.equal(new Set(colours).size, 3, 'three groups, three colours: ' + colours);
  assert.equal(await page.textContent('[data-count="sent"] b'), String(status.sent));
  assert.match(await page.textContent('#timeline'), /\d{4}-\d{2}-\d{2} \d{2}:\d{2} \(Asia\/Shanghai\)/);
  await page.waitForSelector('#push-state [data-state="done"]');
  assert.equal(await page.isVisible('#cancel'), false, 'a finished push has no Cancel');
  await shot('push');
});

test('one user\'s outcome is looked up on the push page (needs the user-lookup route: i31-dry)', async () => {
  assert.ok(broadcast, 'the broadcast of the test before');
  await page.goto(URL + '/console#/push/' + encodeURIComponent(broadcast) + '?appId=' + APP);
  await page.waitForSelector('#lookup-open-id');
  const reached = USERS[0];
  const without = USERS[USERS.length - 1];
  await page.fill('#lookup-open-id', reached);
  await page.click('#lookup-submit');
  await page.waitForSelector('#lookup-result[data-state="sent"]');
  const api0 = (await api('GET', '/v1/pushes/' + broadcast + '/users/' + reached + '?appId=' + APP)).json;
  assert.equal(api0.state, 'sent');
  assert.match(await page.textContent('#lookup-result'), /已送达/);
  if (api0.msgid) assert.ok((await page.textContent('#lookup-result')).includes(String(api0.msgid)));
  await page.fill('#lookup-open-id', without);
  await page.click('#lookup-submit');
  await page.waitForSelector('#lookup-result[data-state="noCredential"]');
  assert.match(await page.textContent('#lookup-result'), /无凭证/);
});

test('the language switch turns the console English and back, and is remembered', async () => {
  await page.goto(URL + '/console#/pushes?appId=' + APP);
  await page.waitForSelector('#pushes');
  try {
    await page.selectOption('#lang', 'en');
    await page.waitForFunction(() => document.querySelector('nav a[data-page="pushes"]').textContent === 'Pushes');
    assert.equal(await page.textContent('#page h1'), 'Pushes');
    assert.equal(await page.getAttribute('html', 'lang'), 'en');
    await page.reload();
    await page.waitForSelector('#pushes');
    assert.equal(await page.textContent('nav a[data-page="pushes"]'), 'Pushes', 'the choice outlives a reload');
    assert.match(await page.textContent('#pushes th:last-child'), /^Created \(Asia\/Shanghai\)$/);
    await page.selectOption('#lang', 'zh-CN');
    await page.waitForFunction(() => document.querySelector('nav a[data-page="pushes"]').textContent === '推送');
    assert.equal(await page.textContent('#page h1'), '推送');
  } finally {
    await page.evaluate(() => localStorage.removeItem('wxpush.lang')); // the tests after this one read Chinese
  }
});

test('a scheduled push is cancelled from its page', async () => {
  const push = await api('POST', '/v1/pushes', { appId: APP, kind: 'template', templateId: 'TPL_ORDER', data: { keyword1: 'later' },
    audience: { openIds: USERS.slice(0, 3) }, sendAt: Date.now() + 3_600_000 });
  assert.equal(push.status, 202);
  const rid = push.json.requestId;
  await until('it to be scheduled', async () => (await api('GET', '/v1/pushes/' + rid)).json.state === 'scheduled');
  await page.goto(URL + '/console#/push/' + encodeURIComponent(rid));
  await page.waitForSelector('#push-state [data-state="scheduled"]');
  await page.waitForSelector('#cancel', { state: 'visible' });
  await page.click('#cancel');
  await page.waitForSelector('#push-state [data-state="cancelled"]');
  assert.equal((await api('GET', '/v1/pushes/' + rid)).json.state, 'cancelled');
  assert.equal(await page.isVisible('#cancel'), false, 'no Cancel on a cancelled push');
});

test('a policy edited on the apps page reads back through the API, in 24-hour times, and bad input shows its field error', async () => {
  await page.goto(URL + '/console#/apps');
  const card = `.app[data-app="${APP}"]`;
  await page.waitForSelector(card + ' .users-timed');
  await page.waitForSelector(card + ' .expiring-chart[data-days]');
  await page.check(card + ' input[name=quietOn]');
  await page.fill(card + ' input[name=zone]', 'Mars/Olympus');
  await page.click(card + ' button.save');
  await page.waitForFunction(sel => document.querySelector(sel + ' [data-error-for="quietHours.zone"]').textContent.length > 0, card);
  await page.fill(card + ' input[name=zone]', 'Asia/Shanghai');
  await page.fill(card + ' input[name=from]', '23:00');
  await page.fill(card + ' input[name=to]', '06:30');
  await page.fill(card + ' input[name=maxPerUserPerDay]', '3');
  await page.check(card + ' input[name=reserveLast]');
  await page.click(card + ' button.save');
  await page.waitForFunction(sel => document.querySelector(sel + ' .saved').textContent.startsWith('已于'), card);
  const policy = (await api('GET', '/v1/apps/' + APP + '/policy')).json;
  assert.deepEqual(policy.quietHours, { from: '23:00', to: '06:30', zone: 'Asia/Shanghai' });
  assert.equal(policy.maxPerUserPerDay, 3);
  assert.equal(policy.reserveLast, true);
  await page.reload();
  await page.waitForSelector(card + ' .users-timed');
  await page.waitForFunction(sel => document.querySelector(sel + ' input[name=from]').value === '23:00', card);
  assert.equal(await page.inputValue(card + ' input[name=from]'), '23:00', 'quiet hours as 23:00, not 11:00 PM');
  const users = Number(await page.textContent(card + ' .users-timed'));
  assert.equal(users, (await api('GET', '/v1/apps/' + APP)).json.users.formIdOrPrepayId);
  // leave no quiet hours behind for the tests after this one
  assert.equal((await api('PUT', '/v1/apps/' + APP + '/policy', { quietHours: null, maxPerUserPerDay: null, reserveLast: false })).status, 200);
});

test('the app page shows the app\'s quota for today (needs the quota: i30)', async () => {
  const card = `.app[data-app="${APP}"]`;
  const quota = await until('WeChat\'s quota to be read', async () => (await api('GET', '/v1/apps/' + APP)).json.quota);
  await page.goto(URL + '/console#/apps');
  await page.waitForSelector(card + ' .quota[data-limit]');
  const shown = await page.textContent(card + ' .quota');
  const now = (await api('GET', '/v1/apps/' + APP)).json.quota; // a refresh may land between the two reads
  assert.ok([quota.remain, now.remain].includes(Number(await page.getAttribute(card + ' .quota', 'data-remain'))), shown);
  assert.equal(await page.getAttribute(card + ' .quota', 'data-limit'), String(quota.dailyLimit));
  assert.match(shown, new RegExp('已用 \\d+ / ' + quota.dailyLimit + '，剩余 \\d+'));
  await shot('apps', 'console-app');
});

test('a viewer sees pushes but no new-push form, no cancel or retry, no policy edit and no audit page (needs roles: i31-roles)', async () => {
  const push = await api('POST', '/v1/pushes', { appId: APP, kind: 'template', templateId: 'TPL_ORDER', data: { keyword1: 'viewer' },
    audience: { openIds: USERS.slice(0, 2) }, sendAt: Date.now() + 3_600_000 });
  assert.equal(push.status, 202);
  const rid = push.json.requestId;
  try {
    await signIn(KEY_VIEWER);
    assert.deepEqual(await visibleNav(), ['pushes', 'apps', 'fleet']);
    assert.match(await page.textContent('#whoami'), /只读/);
    await page.goto(URL + '/console#/push/' + encodeURIComponent(rid) + '?appId=' + APP);
    await page.waitForSelector('#push-state [data-state="scheduled"]');
    assert.equal(await page.isVisible('#cancel'), false, 'a viewer has no Cancel');
    assert.equal(await page.isVisible('#retry'), false, 'a viewer has no Retry');
    await page.goto(URL + '/console#/new');
    await page.waitForSelector('#not-allowed');
    assert.equal(await page.$('#new-push'), null);
    await page.goto(URL + '/console#/apps');
    await page.waitForSelector(`.app[data-app="${APP}"] .policy-view dd`);
    assert.equal(await page.$('form.policy'), null, 'a viewer has no policy form');
    await page.goto(URL + '/console#/audit');
    await page.waitForSelector('#not-allowed');
    // and the API agrees: what the console hides, the server refuses
    assert.equal((await api('DELETE', '/v1/pushes/' + rid + '?appId=' + APP, undefined, KEY_VIEWER)).status, 403);
  } finally {
    await api('DELETE', '/v1/pushes/' + rid + '?appId=' + APP);
  }
});

test('an operator previews a push (a dry run) and sends it from the preview (needs roles and dry run: i31-roles, i31-dry)', async () => {
  await signIn(KEY_OPERATOR);
  assert.deepEqual(await visibleNav(), ['pushes', 'new', 'apps', 'fleet']);
  await page.goto(URL + '/console#/apps');
  await page.waitForSelector(`.app[data-app="${APP}"] .policy-view dd`);
  assert.equal(await page.$('form.policy'), null, 'an operator has no policy form');

  await page.goto(URL + '/console#/new?appId=' + APP);
  await page.waitForSelector('#template-select option[value="TPL_SUB"]', { state: 'attached' });
  await page.selectOption('#kind', 'subscribe');
  await page.selectOption('#template-select', 'TPL_SUB');
  await page.fill('[data-keyword="thing1"]', 'x'.repeat(25));
  await page.waitForFunction(() => document.querySelector('[data-problem-for="thing1"]').textContent.includes('20'));
  const noGrant = USERS[USERS.length - 1];
  const audience = [SUB_USER, REVOKED_USER, noGrant];
  await page.fill('#open-ids', audience.join('\n'));
  const before = (await api('GET', '/v1/pushes?appId=' + APP + '&limit=200')).json.pushes.length;
  await page.click('#preview-button');
  await page.waitForFunction(() => document.querySelector('#new-push .form-error').textContent.length > 0);
  assert.equal(await page.isDisabled('#send'), true, 'no Send before a preview');
  await page.fill('[data-keyword="thing1"]', SUB_PUSH.data.thing1);
  assert.equal(await page.textContent('[data-problem-for="thing1"]'), '');
  await page.click('#preview-button');
  await page.waitForSelector('#preview:not([hidden])[data-reachable]');
  const estimate = (await api('POST', '/v1/pushes', { ...SUB_PUSH, audience: { openIds: audience }, dryRun: true }, KEY_OPERATOR)).json;
  assert.equal(Number(await page.getAttribute('#preview', 'data-targets')), estimate.targets);
  assert.equal(Number(await page.getAttribute('#preview', 'data-reachable')), estimate.reachable);
  assert.equal(estimate.targets, 3);
  assert.equal(estimate.reachable, 2, 'the revoked user still holds a grant as far as wxpush knows');
  assert.equal((await api('GET', '/v1/pushes?appId=' + APP + '&limit=200')).json.pushes.length, before, 'a preview sends nothing');
  await shot('new-push', 'console-new-push');
  await page.click('#send');
  await page.waitForURL(/#\/push\//);
  const rid = decodeURIComponent(page.url().split('#/push/')[1].split('?')[0]);
  const done = await until('the subscribe push to be done', async () => {
    const s = (await api('GET', '/v1/pushes/' + rid)).json;
    return s.state === 'done' ? s : null;
  });
  assert.equal(done.sent, 1, JSON.stringify(done));
  assert.equal(done.noCredential, 1, JSON.stringify(done));
  assert.equal(done.failed, 1, JSON.stringify(done));
  assert.equal(done.request.data.thing1, SUB_PUSH.data.thing1);
  await page.waitForSelector('#push-state [data-state="done"]');
  assert.equal(await page.isVisible('#cancel'), false);
  // skipped and failed apart: grey for the user without a grant, red for the one WeChat refused
  await page.waitForSelector('#reasons-legend [data-group="failed"][data-total="1"]');
  assert.equal(await page.getAttribute('#reasons-legend [data-group="skipped"]', 'data-total'), '1');
  assert.match(await page.getAttribute('#reasons-chart', 'data-groups'), /43101=failed/);
  await page.fill('#lookup-open-id', REVOKED_USER);
  await page.click('#lookup-submit');
  await page.waitForSelector('#lookup-result[data-state="failed"]');
  assert.match(await page.textContent('#lookup-result'), /用户拒收 \(43101\)/);
  await shot('push-subscribe', 'console-push');
  console.log('SUBSCRIBE_PUSH ' + rid);
});

test('a send time is typed as the app\'s wall clock (Beijing), whatever the browser\'s zone (needs dry run: i31-dry)', async () => {
  await signIn(KEY);
  // tomorrow at this minute, Beijing time, as the form takes it: 2026-12-03 19:32
  const beijing = new Date(Date.now() + 86_400_000 + 8 * 3600_000).toISOString().slice(0, 16).replace('T', ' ');
  const expected = Date.parse(beijing.replace(' ', 'T') + ':00Z') - 8 * 3600_000;
  await page.goto(URL + '/console#/new?appId=' + APP);
  await page.waitForSelector('#template-select option[value="TPL_SUB"]', { state: 'attached' });
  await page.selectOption('#kind', 'subscribe');
  await page.selectOption('#template-select', 'TPL_SUB');
  await page.fill('[data-keyword="thing1"]', 'tomorrow');
  await page.fill('#open-ids', SUB_USER);
  await page.fill('#send-at', '2026-13-45 25:00');
  await page.click('#preview-button');
  await page.waitForFunction(() => document.querySelector('[data-error-for="sendAt"]').textContent.length > 0);
  await page.fill('#send-at', beijing);
  await page.click('#preview-button');
  await page.waitForSelector('#preview:not([hidden])[data-reachable]');
  await page.click('#send');
  await page.waitForURL(/#\/push\//);
  const rid = decodeURIComponent(page.url().split('#/push/')[1].split('?')[0]);
  try {
    const s = await until('it to be scheduled', async () => {
      const x = (await api('GET', '/v1/pushes/' + rid + '?appId=' + APP)).json;
      return x.state === 'scheduled' ? x : null;
    });
    assert.equal(s.request.sendAt, expected, 'sent at ' + beijing + ' Beijing time, not New York time');
    await page.waitForFunction(t => document.getElementById('request').textContent.includes(t), beijing + ' (Asia/Shanghai)');
  } finally {
    await api('DELETE', '/v1/pushes/' + rid + '?appId=' + APP);
  }
});

test('an admin reads the audit trail: who created, cancelled and changed what (needs roles and audit: i31-roles)', async () => {
  await signIn(KEY);
  assert.deepEqual(await visibleNav(), ['pushes', 'new', 'apps', 'audit', 'fleet']);
  await page.goto(URL + '/console#/audit?appId=' + APP);
  await page.waitForSelector('#audit-body tr');
  const fingerprint = createHash('sha256').update(KEY).digest('hex').slice(0, 8);
  const api0 = (await api('GET', '/v1/audit?appId=' + APP + '&limit=50')).json.records;
  const rows = await page.$$eval('#audit-body tr', trs => trs.map(tr => ({ action: tr.dataset.action, target: tr.dataset.target, key: tr.dataset.key })));
  assert.deepEqual(rows, api0.map(r => ({ action: r.action, target: r.target, key: r.key })));
  assert.ok(rows.some(r => r.key === fingerprint), 'the admin key\'s fingerprint ' + fingerprint + ' among ' + JSON.stringify(rows));
  assert.ok(!JSON.stringify(rows).includes(KEY), 'never the key itself');
  assert.match(await page.textContent('#audit th:first-child'), /\(Asia\/Shanghai\)$/);
  assert.match(await page.textContent('#audit-body tr td:first-child'), /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/, 'with seconds: the trail\'s order is visible');
  await shot('audit');
});

test('the fleet page lists the running processes', async () => {
  await page.goto(URL + '/console#/fleet');
  await page.waitForSelector('#fleet-body tr[data-role="ingest-api"]');
  await page.waitForSelector('#fleet-body tr[data-role^="push-worker"]');
  await shot('fleet');
});

test('a key scoped to one app sees only that app', async () => {
  await signIn(KEY_B);
  const apps = await page.$$eval('#app-filter option', os => os.map(o => o.value));
  assert.deepEqual(apps, [APP_B]);
  await page.goto(URL + '/console#/apps');
  await page.waitForSelector(`.app[data-app="${APP_B}"]`);
  assert.equal(await page.$(`.app[data-app="${APP}"]`), null);
  const other = (await api('GET', '/v1/pushes?appId=' + APP + '&limit=1')).json.pushes[0].requestId;
  await page.goto(URL + '/console#/push/' + encodeURIComponent(other));
  await page.waitForFunction(() => document.getElementById('push-state').textContent.includes('没有这个推送'));
});

test('no script error happened on any page', () => {
  assert.deepEqual(pageErrors, []);
});
