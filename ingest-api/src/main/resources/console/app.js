// The wxpush operator console: one page, plain JavaScript, talking only to wxpush's documented
// HTTP API (README "HTTP API", /openapi.json) with the push API key the operator signed in with.
// The key lives in sessionStorage (this tab only). This file: the API call, the helpers the pages
// share, and the shell (sign-in, header, routing). The pages: #/pushes and #/push/<requestId>?appId=
// (push-pages.js), #/new (new-push.js), #/apps, #/audit (admins), #/fleet (app-pages.js). Every
// text comes from messages.js through t(); every
// time is written by formatTime in the app's zone (format.js). What the key's role may not do is
// not shown: a viewer reads, an operator also creates, cancels and retries pushes, an admin also
// changes policies and reads the audit trail. Nothing is loaded from another origin (the page's CSP
// forbids it).
'use strict';

const KEY_ITEM = 'wxpush.key';
const REFRESH_MS = 2000;
const ROLES = ['viewer', 'operator', 'admin'];
// view: bumped by every navigation and sign-out, so a page still loading when the operator moved on
// starts no refresh of its own
const state = { apps: [], role: 'admin', key: '', zones: {}, timer: null, charts: [], view: 0 };
const COUNTS = ['sent', 'noCredential', 'failed', 'unknown', 'cancelled'];

// ---------------------------------------------------------------- API

class ApiError extends Error {
  constructor(status, body) {
    const code = body && body.error && body.error.code;
    super(code === 'forbidden_role' ? t('common.forbiddenRole') : (body && body.error && body.error.message) || ('HTTP ' + status));
    this.status = status;
    this.code = code;
    this.fields = (body && body.error && body.error.fields) || [];
  }
}

async function api(method, path, body) {
  const headers = { Authorization: 'Bearer ' + sessionStorage.getItem(KEY_ITEM) };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch (e) { json = null; }
  if (res.status === 401) { signOut(t('signIn.refused')); throw new ApiError(401, json); }
  if (!res.ok) throw new ApiError(res.status, json);
  return json;
}

/** Whether the signed-in key's role is at least {@code role}: what the console shows is cut to it. */
function may(role) {
  return ROLES.indexOf(state.role) >= ROLES.indexOf(role);
}

/** The zone an app's times are shown in: its quiet hours' zone, else Beijing time; read once per page. */
async function zoneOf(appId) {
  if (!appId) return DEFAULT_ZONE;
  if (!state.zones[appId]) {
    try {
      const p = await api('GET', '/v1/apps/' + encodeURIComponent(appId) + '/policy');
      state.zones[appId] = (p.quietHours && p.quietHours.zone) || DEFAULT_ZONE;
    } catch (e) {
      if (e.status === 401) throw e;
      return DEFAULT_ZONE;
    }
  }
  return state.zones[appId];
}

// ---------------------------------------------------------------- helpers

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) if (c !== null && c !== undefined) e.append(c instanceof Node ? c : String(c));
  return e;
}

function stateBadge(s) {
  return el('span', { class: 'state ' + s, 'data-state': s, text: t('state.' + s) });
}

function progress(s) {
  const targets = Math.max(s.targets || 0, 1);
  const bar = el('div', { class: 'progress', role: 'progressbar', 'aria-valuemin': 0, 'aria-valuemax': s.targets || 0,
    'aria-valuenow': (s.targets || 0) - (s.pending || 0), title: COUNTS.map(c => t('count.' + c) + ' ' + (s[c] || 0)).join(', ') });
  for (const c of COUNTS) {
    if (!s[c]) continue;
    const part = el('span', { class: c });
    part.style.width = (100 * s[c] / targets) + '%'; // through the CSSOM: the page's CSP allows no style attributes
    bar.append(part);
  }
  const done = s.targets ? Math.round(100 * (s.targets - s.pending) / s.targets) : (s.final ? 100 : 0);
  return el('div', {}, bar, el('span', { class: 'pct', 'data-pct': done, text: t('progress.of', { pct: done, targets: s.targets || 0 }) }));
}

function page(title, ...content) {
  const p = document.getElementById('page');
  p.replaceChildren(el('h1', { text: title }), ...content);
  return p;
}

function stopRefresh() {
  state.view++;
  if (state.timer) clearInterval(state.timer);
  state.timer = null;
  for (const c of state.charts) c.destroy();
  state.charts = [];
}

/** Runs {@code fn} now and every {@code ms} while the page that asked is shown; a refused key (401) has signed out already. */
function every(ms, fn) {
  const view = state.view;
  const run = () => {
    if (view !== state.view) return;
    fn().catch(e => { if (e.status !== 401 && view === state.view) throw e; });
  };
  if (view !== state.view) return;
  run();
  state.timer = setInterval(run, ms);
}

function showFieldErrors(form, err) {
  for (const e of form.querySelectorAll('.field-error:not(.live)')) e.textContent = '';
  const general = form.querySelector('.form-error');
  if (general) general.textContent = err ? err.message : '';
  if (!err) return;
  for (const f of err.fields) {
    const slot = form.querySelector('[data-error-for="' + CSS.escape(f.field) + '"]');
    if (slot) slot.textContent = f.message;
    else if (general) general.textContent += ' ' + f.field + ': ' + f.message + '.';
  }
}

function appSelect(id, selected, onchange) {
  const s = el('select', { id, name: 'appId', onchange });
  for (const a of state.apps) s.append(el('option', { value: a.appId, selected: a.appId === selected, text: a.appId }));
  return s;
}

function pairs(list) {
  return list.filter(p => p[1] !== undefined && p[1] !== null && p[1] !== '').flatMap(p => [el('dt', { text: p[0] }), el('dd', { text: p[1] })]);
}

function chart(canvas, labels, datasets, legend) {
  if (!window.Chart) return null; // the page still works without its charts
  const c = new window.Chart(canvas, {
    type: 'bar',
    data: { labels, datasets },
    options: { animation: false, responsive: true, maintainAspectRatio: false, plugins: { legend: { display: !!legend, position: 'bottom' } },
      scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } } }
  });
  state.charts.push(c);
  return c;
}

/**
 * What WeChat allows a subscribe keyword of each type, as GET /v1/templates gives it per keyword
 * (common's KeywordRule: maxLength, and the pattern a whole value matches). The console keeps no
 * copy of these rules; the server checks the same before accepting.
 */
function keywordProblem(k, value) {
  const chars = Array.from(value);
  if (!value.length) return t('kw.required');
  if (k.maxLength && chars.length > k.maxLength) return t('kw.tooLong', { max: k.maxLength, n: chars.length });
  if (k.pattern && !new RegExp('^(?:' + k.pattern + ')$', 'u').test(value)) return t('kw.breaks', { limit: limitText(k) });
  return null;
}

/** A keyword's limit in words: the table's description of its type in this language, else the server's. */
function limitText(k) {
  if (hasMessage('limit.' + k.type)) return t('limit.' + k.type);
  if (k.maxLength && !k.pattern) return t('limit.max', { max: k.maxLength });
  return k.limit;
}

// ---------------------------------------------------------------- shell

function go(hash) {
  if (location.hash === hash) route(); else location.hash = hash;
}

/** The header for the signed-in key: the links its role may follow, who it is. */
function showShell() {
  translateStatic(document);
  for (const a of document.querySelectorAll('nav [data-needs]')) a.hidden = !may(a.dataset.needs);
  document.getElementById('whoami').textContent = state.key || state.role !== 'admin' ? t('whoami', { key: state.key || '—', role: t('role.' + state.role) }) : '';
  document.getElementById('whoami').setAttribute('data-role', state.role);
}

async function route() {
  stopRefresh();
  if (!sessionStorage.getItem(KEY_ITEM)) { showSignIn(); return; }
  document.getElementById('sign-in').hidden = true;
  document.getElementById('nav').hidden = false;
  document.getElementById('page').hidden = false;
  showShell();
  const [path, query] = (location.hash.slice(1) || '/pushes').split('?');
  const params = new URLSearchParams(query || '');
  const name = path.split('/')[1] || 'pushes';
  for (const a of document.querySelectorAll('nav a')) a.classList.toggle('active', a.dataset.page === name || (name === 'push' && a.dataset.page === 'pushes'));
  try {
    if (name === 'push') await pushPage(decodeURIComponent(path.split('/').slice(2).join('/')), params.get('appId'));
    else if (name === 'new') await newPushPage(params);
    else if (name === 'apps') await appsPage();
    else if (name === 'audit') await auditPage(params);
    else if (name === 'fleet') await fleetPage();
    else await pushesPage(params);
  } catch (e) {
    if (e.status !== 401) page(t('common.wrong'), el('p', { class: 'error', text: e.message }));
  }
}

function showSignIn(message) {
  translateStatic(document);
  document.getElementById('nav').hidden = true;
  document.getElementById('page').hidden = true;
  document.getElementById('sign-in').hidden = false;
  document.getElementById('sign-in-error').textContent = message || '';
}

function signOut(message) {
  stopRefresh();
  sessionStorage.removeItem(KEY_ITEM);
  state.apps = [];
  state.zones = {};
  showSignIn(message);
}

async function signIn(key) {
  sessionStorage.setItem(KEY_ITEM, key);
  try {
    const answer = await api('GET', '/v1/apps');
    state.apps = answer.apps;
    // the key's role and fingerprint (a key without a role is an admin, as on the server)
    state.role = ROLES.includes(answer.role) ? answer.role : 'admin';
    state.key = answer.key || '';
  } catch (e) {
    if (e.status !== 401) showSignIn(e.message);
    sessionStorage.removeItem(KEY_ITEM);
    return false;
  }
  return true;
}

document.addEventListener('DOMContentLoaded', async () => {
  const langSel = document.getElementById('lang');
  langSel.replaceChildren(...LANGS.map(l => el('option', { value: l, selected: l === lang(), text: window.WXPUSH_MESSAGES[l]['lang.name'] })));
  langSel.addEventListener('change', () => {
    setLang(langSel.value);
    if (sessionStorage.getItem(KEY_ITEM) && !document.getElementById('nav').hidden) route();
    else showSignIn(document.getElementById('sign-in-error').textContent);
  });
  translateStatic(document);
  document.getElementById('sign-in-form').addEventListener('submit', async ev => {
    ev.preventDefault();
    if (await signIn(document.getElementById('key').value.trim())) { document.getElementById('key').value = ''; route(); }
  });
  document.getElementById('sign-out').addEventListener('click', () => signOut());
  window.addEventListener('hashchange', route);
  // a link may carry the key in its fragment (#key=…, never sent to a server): scripts/demo.sh prints one
  if (location.hash.startsWith('#key=')) {
    sessionStorage.setItem(KEY_ITEM, decodeURIComponent(location.hash.slice(5)));
    history.replaceState(null, '', location.pathname + '#/pushes');
  }
  const key = sessionStorage.getItem(KEY_ITEM);
  if (key && await signIn(key)) route(); else showSignIn();
});
