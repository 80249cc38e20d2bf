// Browser tests of the operator console, in headless Chromium (Debian's, driven by playwright-core).
// Run by system-tests' ConsoleBrowserIT against a running ingest-api, push-worker and wechat-sim,
// with: WXPUSH_URL, WXPUSH_KEY (a key for every app), WXPUSH_KEY_B (scoped to WXPUSH_APP_B),
// WXPUSH_APP, WXPUSH_APP_B, WXPUSH_USERS (the broadcast's users, comma separated; the last ones
// hold no credential), WXPUSH_SUB_USER (holds a grant of TPL_SUB), SCREENSHOTS (a directory).
// Every check that can be read through the API is read there too.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { chromium } from 'playwright-core';

const URL = process.env.WXPUSH_URL;
const KEY = process.env.WXPUSH_KEY;
const KEY_B = process.env.WXPUSH_KEY_B;
const APP = process.env.WXPUSH_APP;
const APP_B = process.env.WXPUSH_APP_B;
const USERS = (process.env.WXPUSH_USERS || '').split(',').filter(Boolean);
const SUB_USER = process.env.WXPUSH_SUB_USER;
const SHOTS = process.env.SCREENSHOTS || 'target/screenshots';
const EXPIRES = 60_000;

let browser;
let page;

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

async function shot(name) {
  await page.screenshot({ path: SHOTS + '/' + name + '.png', fullPage: true });
}

async function signIn(key) {
  await page.goto(URL + '/console');
  await page.fill('#key', key);
  await page.click('#sign-in-form button[type=submit]');
  await page.waitForSelector('#nav:not([hidden])');
  await page.goto(URL + '/console#/pushes');
  await page.waitForSelector('#pushes');
}

const pageErrors = [];

before(async () => {
  for (const v of ['WXPUSH_URL', 'WXPUSH_KEY', 'WXPUSH_KEY_B', 'WXPUSH_APP', 'WXPUSH_APP_B', 'WXPUSH_SUB_USER']) {
    assert.ok(process.env[v], v + ' is required');
  }
  mkdirSync(SHOTS, { recursive: true });
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  page = await context.newPage();
  page.on('pageerror', e => pageErrors.push(e.message));
  page.on('dialog', d => d.accept()); // the console asks before cancelling or retrying: the operator says yes
});

after(async () => { if (browser) await browser.close(); });

test('a wrong key is refused and a good one signs in', async () => {
  await page.goto(URL + '/console');
  await page.fill('#key', 'not-a-key-of-this-deployment-000');
  await page.click('#sign-in-form button[type=submit]');
  await page.waitForFunction(() => document.getElementById('sign-in-error').textContent.length > 0);
  assert.equal(await page.isVisible('#nav'), false);
  await signIn(KEY);
  assert.ok(await page.isVisible('#pushes'));
});

test('a running broadcast\'s progress bar moves to 100 % and its page charts the reasons', async () => {
  const push = await api('POST', '/v1/pushes', { appId: APP, kind: 'template', templateId: 'TPL_ORDER',
    data: { keyword1: 'console test' }, audience: { openIds: USERS } });
  assert.equal(push.status, 202, JSON.stringify(push.json));
  const rid = push.json.requestId;
  await page.goto(URL + '/console#/pushes?appId=' + APP);
  const pct = `tr[data-request-id="${rid}"] [data-pct]`;
  await page.waitForSelector(pct);
  const seen = new Set();
  await until('the bar to reach 100 %', async () => {
    const v = Number(await page.getAttribute(pct, 'data-pct'));
    seen.add(v);
    if (v > 0 && v < 100 && !seen.has('shot')) { seen.add('shot'); await shot('pushes'); }
    return v === 100;
  }, 120_000);
  const values = [...seen].filter(v => typeof v === 'number');
  assert.ok(values.some(v => v < 100), 'the bar was seen below 100 %: ' + values);
  assert.ok(values.length >= 2, 'the bar moved without a reload: ' + values);
  if (!seen.has('shot')) await shot('pushes');
  await page.click(`tr[data-request-id="${rid}"] a`);
  await page.waitForSelector('#reasons-chart[data-reasons*="none="]');
  const reasons = await page.getAttribute('#reasons-chart', 'data-reasons');
  const status = (await api('GET', '/v1/pushes/' + rid)).json;
  assert.equal(reasons, Object.entries(status.byReason).sort((a, b) => b[1] - a[1]).map(e => e[0] + '=' + e[1]).join(','));
  assert.equal(await page.textContent('[data-count="sent"] b'), String(status.sent));
  assert.ok(await page.isVisible('#timeline'));
  await shot('push');
});

test('the new-push form flags a too-long thing value before sending and delivers a valid one', async () => {
  await page.goto(URL + '/console#/new?appId=' + APP);
  await page.waitForSelector('#template-select option[value="TPL_SUB"]', { state: 'attached' });
  await page.selectOption('#kind', 'subscribe');
  await page.selectOption('#template-select', 'TPL_SUB');
  await page.fill('[data-keyword="thing1"]', 'x'.repeat(25));
  await page.waitForFunction(() => document.querySelector('[data-problem-for="thing1"]').textContent.includes('20'));
  await page.fill('#open-ids', SUB_USER);
  const before = (await api('GET', '/v1/pushes?appId=' + APP + '&limit=200')).json.pushes.length;
  await page.click('#send');
  await page.waitForFunction(() => document.querySelector('#new-push .form-error').textContent.length > 0);
  assert.equal((await api('GET', '/v1/pushes?appId=' + APP + '&limit=200')).json.pushes.length, before, 'nothing was sent');
  await shot('new-push');
  await page.fill('[data-keyword="thing1"]', 'Your parcel is here');
  assert.equal(await page.textContent('[data-problem-for="thing1"]'), '');
  await page.click('#send');
  await page.waitForURL(/#\/push\//);
  const rid = decodeURIComponent(page.url().split('#/push/')[1].split('?')[0]);
  const done = await until('the subscribe push to be done', async () => {
    const s = (await api('GET', '/v1/pushes/' + rid)).json;
    return s.state === 'done' ? s : null;
  });
  assert.equal(done.sent, 1, JSON.stringify(done));
  assert.equal(done.request.data.thing1, 'Your parcel is here');
  console.log('SUBSCRIBE_PUSH ' + rid);
});

test('a scheduled push is cancelled from its page', async () => {
  const push = await api('POST', '/v1/pushes', { appId: APP, kind: 'template', templateId: 'TPL_ORDER', data: { keyword1: 'later' },
    audience: { openIds: USERS.slice(0, 3) }, sendAt: Date.now() + 3_600_000 });
  assert.equal(push.status, 202);
  const rid = push.json.requestId;
  await until('it to be scheduled', async () => (await api('GET', '/v1/pushes/' + rid)).json.state === 'scheduled');
  await page.goto(URL + '/console#/push/' + encodeURIComponent(rid));
  await page.waitForSelector('#push-state [data-state="scheduled"]');
  await page.click('#cancel');
  await page.waitForSelector('#push-state [data-state="cancelled"]');
  assert.equal((await api('GET', '/v1/pushes/' + rid)).json.state, 'cancelled');
});

test('a policy edited on the apps page reads back through the API, and bad input shows its field error', async () => {
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
  await page.waitForFunction(sel => document.querySelector(sel + ' .saved').textContent.startsWith('Saved'), card);
  const policy = (await api('GET', '/v1/apps/' + APP + '/policy')).json;
  assert.deepEqual(policy.quietHours, { from: '23:00', to: '06:30', zone: 'Asia/Shanghai' });
  assert.equal(policy.maxPerUserPerDay, 3);
  assert.equal(policy.reserveLast, true);
  const users = Number(await page.textContent(card + ' .users-timed'));
  assert.equal(users, (await api('GET', '/v1/apps/' + APP)).json.users.formIdOrPrepayId);
  await shot('apps');
  // leave no quiet hours behind for the tests after this one
  assert.equal((await api('PUT', '/v1/apps/' + APP + '/policy', { quietHours: null, maxPerUserPerDay: null, reserveLast: false })).status, 200);
});

test('the apps page shows WeChat\'s quota for the app as the API reads it', async () => {
  const quota = await until('the quota read from WeChat', async () => (await api('GET', '/v1/apps/' + APP)).json.quota);
  await page.goto(URL + '/console#/apps');
  const card = `.app[data-app="${APP}"]`;
  await page.waitForSelector(card + ' .quota[data-remain]:not([data-remain=""])');
  const shown = await page.textContent(card + ' .quota');
  const now = (await api('GET', '/v1/apps/' + APP)).json.quota; // a refresh may land between the two reads
  assert.ok([quota.remain, now.remain].includes(Number(await page.getAttribute(card + ' .quota', 'data-remain'))), shown);
  assert.match(shown, new RegExp(' of ' + quota.dailyLimit + ','));
});

test('the fleet page lists the running processes', async () => {
  await page.goto(URL + '/console#/fleet');
  await page.waitForSelector('#fleet-body tr[data-role="ingest-api"]');
  await page.waitForSelector('#fleet-body tr[data-role^="push-worker"]');
  await shot('fleet');
});

test('a key scoped to one app sees only that app', async () => {
  await page.click('#sign-out');
  await page.waitForSelector('#sign-in:not([hidden])');
  await signIn(KEY_B);
  const apps = await page.$$eval('#app-filter option', os => os.map(o => o.value));
  assert.deepEqual(apps, [APP_B]);
  await page.goto(URL + '/console#/apps');
  await page.waitForSelector(`.app[data-app="${APP_B}"]`);
  assert.equal(await page.$(`.app[data-app="${APP}"]`), null);
  const other = (await api('GET', '/v1/pushes?appId=' + APP + '&limit=1')).json.pushes[0].requestId;
  await page.goto(URL + '/console#/push/' + encodeURIComponent(other));
  await page.waitForFunction(() => document.getElementById('push-state').textContent.includes('no such push'));
});

test('no script error happened on any page', () => {
  assert.deepEqual(pageErrors, []);
});
