// The wxpush operator console: one page, plain JavaScript, talking only to wxpush's documented
// HTTP API (README "HTTP API", /openapi.json) with the push API key the operator signed in with.
// The key lives in sessionStorage (this tab only). Pages: #/pushes, #/push/<requestId>?appId=<app>,
// #/new, #/apps, #/audit (admins), #/fleet. Every text comes from messages.js through t(); every
// time is written by formatTime in the app's zone (format.js). What the key's role may not do is
// not shown: a viewer reads, an operator also creates, cancels and retries pushes, an admin also
// changes policies and reads the audit trail. Nothing is loaded from another origin (the page's CSP
// forbids it).
'use strict';

const KEY_ITEM = 'wxpush.key';
const REFRESH_MS = 2000;
const ROLES = ['viewer', 'operator', 'admin'];
const state = { apps: [], role: 'admin', key: '', zones: {}, timer: null, charts: [] };
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
  if (state.timer) clearInterval(state.timer);
  state.timer = null;
  for (const c of state.charts) c.destroy();
  state.charts = [];
}

function every(ms, fn) {
  fn();
  state.timer = setInterval(fn, ms);
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

// ---------------------------------------------------------------- pages

async function pushesPage(params) {
  const appId = params.get('appId') || (state.apps[0] && state.apps[0].appId);
  const wanted = params.get('state') || '';
  const states = ['', 'scheduled', 'accepted', 'fanning_out', 'sending', 'done', 'failed', 'cancelled'];
  const stateSel = el('select', { id: 'state-filter', onchange: () => go('#/pushes?appId=' + appSel.value + '&state=' + stateSel.value) });
  for (const s of states) stateSel.append(el('option', { value: s, selected: s === wanted, text: s ? t('state.' + s) : t('state.any') }));
  const appSel = appSelect('app-filter', appId, () => go('#/pushes?appId=' + appSel.value + '&state=' + stateSel.value));
  const body = el('tbody', { id: 'pushes-body' });
  const note = el('p', { class: 'hint', id: 'pushes-note' });
  const zone = await zoneOf(appId);
  page(t('pushes.title'),
    el('div', { class: 'filters' }, el('label', {}, t('common.app') + ' ', appSel), el('label', {}, t('pushes.filterState') + ' ', stateSel)),
    el('table', { id: 'pushes' },
      el('thead', {}, el('tr', {}, el('th', { text: t('pushes.col.push') }), el('th', { text: t('pushes.col.state') }),
        el('th', { text: t('pushes.col.template') }), el('th', { class: 'num', text: t('pushes.col.targets') }),
        el('th', { text: t('pushes.col.progress') }), el('th', { text: t('pushes.col.created') + ' (' + zone + ')' }))),
      body),
    note);
  if (!appId) { note.textContent = t('common.noApp'); return; }
  every(REFRESH_MS, async () => {
    const q = '/v1/pushes?appId=' + encodeURIComponent(appId) + '&limit=50' + (wanted ? '&state=' + wanted : '');
    const list = await api('GET', q);
    const rows = list.pushes.map(s => el('tr', { 'data-request-id': s.requestId },
      el('td', {}, el('a', { href: '#/push/' + encodeURIComponent(s.requestId) + '?appId=' + encodeURIComponent(s.appId || appId), text: s.requestId })),
      el('td', {}, stateBadge(s.state), s.resumesAt ? el('div', { class: 'hint', text: t('pushes.resumes', { time: formatTime(s.resumesAt, zone, false) }) }) : null),
      el('td', { text: (s.request && s.request.templateId) || '' }),
      el('td', { class: 'num', text: s.targets }),
      el('td', {}, progress(s)),
      el('td', { text: formatTime(s.timeline && s.timeline.createdAt, zone, false) })));
    body.replaceChildren(...rows);
    note.textContent = list.pushes.length ? t('common.updated', { time: formatClock(Date.now(), zone) }) : t('pushes.empty', { app: appId });
  });
}

/** The push's byReason as a stacked bar per reason, coloured by group, and a legend of the groups with their totals. */
function reasonsView(entries, canvas, legend) {
  legend.replaceChildren(...REASON_GROUPS.map(g => {
    const total = entries.filter(e => reasonGroup(e[0]) === g.id).reduce((n, e) => n + e[1], 0);
    return el('span', { class: 'legend-item ' + g.id, 'data-group': g.id, 'data-total': total }, el('i', { class: 'swatch ' + g.id }),
      t('group.' + g.id) + ': ' + total);
  }));
  canvas.setAttribute('data-reasons', entries.map(e => e[0] + '=' + e[1]).join(','));
  canvas.setAttribute('data-groups', entries.map(e => e[0] + '=' + reasonGroup(e[0])).join(','));
  if (!entries.length) return null;
  const datasets = REASON_GROUPS.map(g => ({ label: t('group.' + g.id + '.short'), backgroundColor: g.color,
    data: entries.map(e => (reasonGroup(e[0]) === g.id ? e[1] : 0)) })).filter(d => d.data.some(v => v));
  return chart(canvas, entries.map(e => reasonLabel(e[0])), datasets, false); // the legend is the groups' own, below
}

/** The search box of a push's page: one user's outcome from the send ledger (410 once it is gone). */
function userLookup(requestId, ofApp, zone) {
  const input = el('input', { type: 'text', id: 'lookup-open-id', placeholder: t('push.lookup.placeholder') });
  const out = el('dl', { id: 'lookup-result' });
  const note = el('p', { class: 'hint', id: 'lookup-note', role: 'status' });
  const form = el('form', { id: 'lookup', class: 'inline-form' }, input, el('button', { type: 'submit', id: 'lookup-submit' }, t('push.lookup.submit')));
  form.addEventListener('submit', async ev => {
    ev.preventDefault();
    out.replaceChildren();
    out.removeAttribute('data-state');
    const openId = input.value.trim();
    if (!openId) { note.textContent = t('push.lookup.empty'); return; }
    note.textContent = '';
    try {
      const u = await api('GET', '/v1/pushes/' + encodeURIComponent(requestId) + '/users/' + encodeURIComponent(openId) + ofApp);
      out.setAttribute('data-state', u.state);
      out.replaceChildren(...pairs([[t('push.lookup.state'), t('user.' + u.state)],
        [t('push.lookup.reason'), u.reason && reasonLabel(u.reason) + ' (' + u.reason + ')'],
        [t('push.lookup.kind'), u.kind && t('kind.' + u.kind)], [t('push.lookup.msgid'), u.msgid], [t('push.lookup.at'), u.at && formatTime(u.at, zone)]]));
    } catch (e) {
      note.textContent = e.status === 410 ? t('push.lookup.gone') : e.status === 404 ? t('push.lookup.notFound') : e.message;
      if (e.status === 410) out.setAttribute('data-state', 'gone');
    }
  });
  return el('div', { class: 'card' }, el('h2', { text: t('push.lookup.title') }), form, note, out);
}

async function pushPage(requestId, appId) {
  // a requestId belongs to its app: every call names it (a key of several apps must, when two use the id)
  const ofApp = appId ? '?appId=' + encodeURIComponent(appId) : '';
  let zone = await zoneOf(appId);
  const counts = el('div', { class: 'counts', id: 'counts' });
  const bar = el('div', { id: 'bar' });
  const reasons = el('canvas', { id: 'reasons-chart' });
  const legend = el('div', { class: 'legend', id: 'reasons-legend' });
  const noReasons = el('p', { class: 'hint', id: 'no-reasons' });
  const request = el('dl', { id: 'request' });
  const timeline = el('dl', { id: 'timeline' });
  const message = el('p', { class: 'hint', id: 'action-result', role: 'status' });
  const cancel = el('button', { type: 'button', class: 'danger', id: 'cancel', hidden: true, onclick: async () => {
    if (!confirm(t('push.cancelConfirm', { id: requestId }))) return;
    try {
      const r = await api('DELETE', '/v1/pushes/' + encodeURIComponent(requestId) + ofApp);
      message.textContent = t('push.cancelAccepted', { state: t('state.' + r.state) });
    } catch (e) { message.textContent = e.message; }
  } }, t('push.cancel'));
  const retry = el('button', { type: 'button', class: 'secondary', id: 'retry', hidden: true, onclick: async () => {
    if (!confirm(t('push.retryConfirm'))) return;
    try {
      const r = await api('POST', '/v1/pushes/' + encodeURIComponent(requestId) + '/retry' + ofApp, {});
      message.textContent = t('push.retrying', { n: r.retried });
    } catch (e) { message.textContent = e.message; }
  } }, t('push.retry'));
  const state0 = el('span', { id: 'push-state' });
  page(t('push.title', { id: requestId }),
    el('div', { class: 'card' }, el('p', {}, t('push.state'), state0), bar, counts, el('div', { class: 'actions' }, cancel, retry), message),
    el('div', { class: 'grid2' },
      el('div', { class: 'card' }, el('h2', { text: t('push.byReason') }), el('div', { class: 'chart' }, reasons), legend, noReasons),
      el('div', { class: 'card' }, el('h2', { text: t('push.request') }), request, el('h2', { text: t('push.timeline') }), timeline)),
    userLookup(requestId, ofApp, zone));
  let reasonsChart = null;
  let lastReasons = null;
  every(REFRESH_MS, async () => {
    let s;
    try { s = await api('GET', '/v1/pushes/' + encodeURIComponent(requestId) + ofApp); } catch (e) {
      state0.textContent = e.status === 404 ? t('push.noSuch') : e.message;
      return;
    }
    if (!appId && s.appId) zone = await zoneOf(s.appId);
    state0.replaceChildren(stateBadge(s.state), s.resumesAt ? t('push.waitsQuiet', { time: formatTime(s.resumesAt, zone) }) : '',
      s.reason ? ' — ' + reasonLabel(s.reason) : '');
    bar.replaceChildren(progress(s));
    counts.replaceChildren(...['targets', ...COUNTS, 'pending', 'retryable'].map(c =>
      el('div', { 'data-count': c }, el('b', { text: s[c] || 0 }), t('count.' + c))));
    // a finished push has no cancel (the status says which states are final: PushState); a viewer has neither button
    cancel.hidden = s.final || !may('operator');
    retry.hidden = !may('operator') || !s.retryable || s.state === 'cancelled';
    const entries = Object.entries(s.byReason || {}).sort((a, b) => b[1] - a[1]);
    const key = JSON.stringify(entries);
    if (key !== lastReasons) {
      lastReasons = key;
      noReasons.textContent = entries.length ? '' : t('push.noReasons');
      if (reasonsChart) reasonsChart.destroy();
      reasonsChart = reasonsView(entries, reasons, legend);
    }
    const r = s.request || {};
    const audience = r.audience ? (r.audience.all ? t('push.audience.all') : r.audience.expiringWithin ? t('push.audience.expiring', { within: r.audience.expiringWithin })
      : t('push.audience.listed', { n: r.audience.listed, first: (r.audience.first || []).join(', ') + (r.audience.listed > 5 ? ', …' : '') })) : '—';
    request.replaceChildren(...pairs([[t('push.f.app'), s.appId], [t('push.f.kind'), r.kind], [t('push.f.template'), r.templateId], [t('push.f.page'), r.page],
      [t('push.f.data'), r.data && JSON.stringify(r.data)], [t('push.f.audience'), audience], [t('push.f.priority'), r.priority && t('new.priority.' + r.priority)],
      [t('push.f.sendAt'), r.sendAt && formatTime(r.sendAt, zone)], [t('push.f.notAfter'), r.notAfter && formatTime(r.notAfter, zone)]]));
    const tl = s.timeline || {};
    timeline.replaceChildren(...pairs([['push.t.accepted', tl.createdAt], ['push.t.started', tl.startedAt], ['push.t.fanoutDone', tl.fanoutDoneAt],
      ['push.t.cancelAsked', tl.cancelledAt], ['push.t.finished', tl.finishedAt]].map(p => [t(p[0]), p[1] && formatTime(p[1], zone)])));
    if (s.final && state.timer) { clearInterval(state.timer); state.timer = null; }
  });
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

async function newPushPage(params) {
  if (!may('operator')) { page(t('new.title'), el('p', { class: 'hint', id: 'not-allowed', text: t('common.notAllowed', { role: t('role.' + state.role) }) })); return; }
  const appId = params.get('appId') || (state.apps[0] && state.apps[0].appId);
  let zone = await zoneOf(appId);
  const form = el('form', { id: 'new-push', novalidate: true });
  const kind = el('select', { name: 'kind', id: 'kind' }, el('option', { value: 'subscribe', text: t('new.kind.subscribe') }),
    el('option', { value: 'template', text: t('new.kind.template') }));
  const templateSel = el('select', { id: 'template-select', class: 'wide' });
  const templateText = el('input', { type: 'text', id: 'template-id', placeholder: t('new.template.legacy') });
  const keywords = el('div', { id: 'keywords' });
  const addKeyword = el('button', { type: 'button', class: 'secondary', id: 'add-keyword', onclick: () => keywords.append(freeKeyword('')) },
    t('new.addKeyword'));
  const audienceKind = el('select', { id: 'audience-kind' }, ...['openIds', 'all', 'expiringWithin'].map(a => el('option', { value: a, text: t('new.audience.' + a) })));
  const openIds = el('textarea', { id: 'open-ids', placeholder: t('new.audience.openIds.placeholder') });
  const file = el('input', { type: 'file', id: 'open-ids-file', accept: '.txt,.csv', onchange: async () => {
    if (file.files[0]) openIds.value = (openIds.value ? openIds.value + '\n' : '') + await file.files[0].text();
    stale();
  } });
  const expiring = el('input', { type: 'text', id: 'expiring-within', value: '48h' });
  const priority = el('select', { id: 'priority' }, ...['normal', 'low', 'critical'].map(p => el('option', { value: p, text: t('new.priority.' + p) })));
  // a time is typed as the app's wall clock, not in the browser's zone or locale (a datetime-local input has both)
  const sendAt = el('input', { type: 'text', id: 'send-at', placeholder: t('new.sendAt.placeholder'), inputmode: 'numeric' });
  const sendAtLabel = el('span', { text: t('new.sendAt', { zone }) });
  const pagePath = el('input', { type: 'text', id: 'page-path', placeholder: t('new.page.placeholder') });
  const testUser = el('input', { type: 'text', id: 'test-open-id', placeholder: t('new.tryOne.placeholder') });
  const result = el('p', { class: 'hint', id: 'new-push-result', role: 'status' });
  const preview = el('div', { class: 'preview', id: 'preview', hidden: true });
  const send = el('button', { type: 'button', id: 'send', disabled: true, onclick: () => submit(null, false) }, t('new.send'));
  const previewHint = el('p', { class: 'hint', id: 'preview-hint', text: t('new.previewFirst') });
  let templates = [];
  let previewed = null; // the body the shown preview is of: "Send" sends exactly that

  function err(field) { return el('span', { class: 'field-error', 'data-error-for': field }); }

  function typedKeyword(k) {
    const input = el('input', { type: 'text', name: k.name, 'data-keyword': k.name, 'data-type': k.type, 'data-max-length': k.maxLength });
    const problem = el('span', { class: 'field-error live', 'data-problem-for': k.name });
    const box = el('label', { class: 'keyword' }, k.name + ' ', el('span', { class: 'hint', text: '(' + k.type + ': ' + limitText(k) + ')' }),
      input, problem, err('data.' + k.name));
    const check = () => {
      const p = keywordProblem(k, input.value);
      problem.textContent = p || '';
      box.classList.toggle('invalid', !!p);
      return !p;
    };
    input.addEventListener('input', check);
    input.check = check;
    return box;
  }

  function freeKeyword(name) {
    const n = el('input', { type: 'text', class: 'kw-name', placeholder: 'keyword1', value: name });
    const v = el('input', { type: 'text', class: 'kw-value', placeholder: t('new.keyword.value') });
    return el('div', { class: 'keyword free' }, n, v, err('data.' + name));
  }

  function showTemplate() {
    keywords.replaceChildren();
    const subscribe = kind.value === 'subscribe';
    templateSel.hidden = !subscribe && !templates.legacy.length;
    templateText.hidden = subscribe;
    addKeyword.hidden = subscribe;
    const list = subscribe ? templates.subscribe : templates.legacy;
    const chosen = list.find(x => x.templateId === templateSel.value);
    if (subscribe && chosen) for (const k of chosen.keywords) keywords.append(typedKeyword(k));
    if (!subscribe) {
      if (chosen) templateText.value = chosen.templateId;
      for (const k of (chosen ? chosen.keywords : [{ name: 'keyword1' }])) keywords.append(freeKeyword(k.name));
    }
    stale();
  }

  function fillTemplates() {
    const list = kind.value === 'subscribe' ? templates.subscribe : templates.legacy;
    // a long-term template (type long_term) is sent on a standing permission: say so where it is chosen
    templateSel.replaceChildren(...list.map(x => el('option', { value: x.templateId,
      text: x.templateId + (x.title ? ' — ' + x.title : '') + (x.type === 'long_term' ? t('new.template.longTerm') : '') })));
    showTemplate();
  }

  async function loadTemplates() {
    const x = await api('GET', '/v1/templates?appId=' + encodeURIComponent(appSel.value));
    templates = { subscribe: x.templates.filter(y => !y.gone), legacy: x.legacyTemplates };
    fillTemplates();
  }

  function body(audienceOverride) {
    const data = {};
    for (const input of keywords.querySelectorAll('[data-keyword]')) data[input.dataset.keyword] = input.value;
    for (const row of keywords.querySelectorAll('.free')) {
      const n = row.querySelector('.kw-name').value.trim();
      if (n) data[n] = row.querySelector('.kw-value').value;
    }
    const b = { appId: appSel.value, kind: kind.value, templateId: kind.value === 'subscribe' ? templateSel.value : templateText.value.trim(), data };
    if (pagePath.value.trim()) b.page = pagePath.value.trim();
    if (priority.value !== 'normal') b.priority = priority.value;
    if (sendAt.value.trim()) b.sendAt = parseZonedTime(sendAt.value, zone);
    if (audienceOverride) b.audience = audienceOverride;
    else if (audienceKind.value === 'all') b.audience = { all: true };
    else if (audienceKind.value === 'expiringWithin') b.audience = { expiringWithin: expiring.value.trim() };
    else b.audience = { openIds: openIds.value.split(/[\s,]+/).map(s => s.trim()).filter(Boolean) };
    return b;
  }

  /** The form is checked here first: typed keywords against their rules, the send time as a time. */
  function checked() {
    let ok = true;
    for (const input of keywords.querySelectorAll('[data-keyword]')) ok = input.check() && ok;
    const badTime = sendAt.value.trim() && parseZonedTime(sendAt.value, zone) === null;
    if (!ok || badTime) {
      showFieldErrors(form, new ApiError(400, { error: { message: t('new.fixFirst') } }));
      if (badTime) form.querySelector('[data-error-for="sendAt"]').textContent = t('new.sendAt.bad');
      return false;
    }
    return true;
  }

  /** Any change to the form makes the preview shown stale: "Send" waits for a new one. */
  function stale() {
    if (previewed) previewHint.textContent = t('new.previewStale');
    previewed = null;
    send.disabled = true;
    preview.hidden = true;
  }

  function showPreview(p) {
    const quietTime = p.quietUntil ? t('preview.quietUntil', { time: formatTime(p.quietUntil, zone) }) : t('preview.notQuiet');
    const quota = p.quotaRemain === undefined || p.quotaRemain === null ? t('preview.quotaUnknown') : String(p.quotaRemain);
    const short = p.quotaRemain !== undefined && p.quotaRemain !== null && p.quotaRemain < p.reachable;
    const kinds = Object.entries(p.byKind || {}).map(e => t('kind.' + e[0]) + ' ' + e[1]).join(', ');
    const problems = (p.problems || []).map(x => (typeof x === 'string' ? x : (x.field ? x.field + ': ' : '') + (x.message || x.code || JSON.stringify(x))));
    const cell = (key, value, id) => el('div', { 'data-preview': id }, el('b', { text: value }), t(key));
    preview.replaceChildren(...[el('h2', { text: t('preview.title') }),
      el('div', { class: 'counts' }, cell('preview.targets', p.targets, 'targets'), cell('preview.reachable', p.reachable, 'reachable'),
        cell('preview.capped', p.capped, 'capped'), cell('preview.reserved', p.reserved, 'reserved'), cell('preview.quota', quota, 'quotaRemain')),
      el('dl', {}, ...pairs([[t('preview.byKind'), kinds || t('common.none')], [t('preview.quiet'), quietTime],
        [t('preview.counting'), p.exact === false ? t('preview.sampled', { n: p.sampledUsers }) : t('preview.exact')]])),
      short ? el('p', { class: 'warning', 'data-preview': 'quota-short', text: t('preview.quotaShort', { remain: p.quotaRemain, reachable: p.reachable }) }) : null,
      el('div', { 'data-preview': 'problems', 'data-count': problems.length }, el('b', { text: t('preview.problems') + ': ' }),
        problems.length ? el('ul', { class: 'problems' }, ...problems.map(x => el('li', { class: 'error', text: x }))) : t('preview.noProblems'))]
      .filter(Boolean));
    preview.hidden = false;
    ['targets', 'reachable', 'capped', 'reserved'].forEach(f => preview.setAttribute('data-' + f, p[f]));
  }

  async function runPreview() {
    if (!checked()) return;
    const b = body(null);
    try {
      const p = await api('POST', '/v1/pushes', Object.assign({}, b, { dryRun: true }));
      showFieldErrors(form, null);
      previewed = b;
      showPreview(p);
      previewHint.textContent = '';
      send.disabled = (p.problems || []).length > 0;
    } catch (e) {
      stale();
      showFieldErrors(form, e);
    }
  }

  async function submit(audienceOverride) {
    if (!checked()) return;
    const b = audienceOverride ? body(audienceOverride) : previewed;
    if (!b) return;
    try {
      const r = await api('POST', '/v1/pushes', b);
      showFieldErrors(form, null);
      const link = '#/push/' + encodeURIComponent(r.requestId) + '?appId=' + encodeURIComponent(b.appId);
      result.replaceChildren(t('new.accepted'), el('a', { href: link, id: 'new-push-link', text: r.requestId }),
        ...(r.warnings || []).map(w => el('span', { class: 'warning', text: ' ' + t('new.warning.' + w) })));
      if (!audienceOverride && !(r.warnings || []).length) go(link);
    } catch (e) {
      showFieldErrors(form, e);
    }
  }

  const appSel = appSelect('new-app', appId, async () => {
    zone = await zoneOf(appSel.value);
    sendAtLabel.textContent = t('new.sendAt', { zone });
    loadTemplates().catch(e => showFieldErrors(form, e));
  });
  kind.addEventListener('change', fillTemplates);
  templateSel.addEventListener('change', showTemplate);
  const audienceFields = el('div', {});
  const showAudience = () => {
    audienceFields.replaceChildren(...(audienceKind.value === 'openIds' ? [openIds, file, err('audience.openIds')]
      : audienceKind.value === 'expiringWithin' ? [expiring, el('span', { class: 'hint', text: t('new.audience.expiring.hint') }),
        err('audience.expiringWithin')] : []));
    stale();
  };
  audienceKind.addEventListener('change', showAudience);
  form.addEventListener('input', ev => { if (!ev.target.closest('.try-one')) stale(); });
  form.addEventListener('change', ev => { if (!ev.target.closest('.try-one')) stale(); });
  form.append(
    el('label', {}, t('common.app'), appSel, err('appId')),
    el('label', {}, t('new.kind'), kind, err('kind')),
    el('label', {}, t('new.template'), templateSel, templateText, err('templateId')),
    keywords, addKeyword, err('data'),
    el('label', {}, t('new.page'), pagePath, err('page')),
    el('label', {}, t('new.audience'), audienceKind, err('audience')), audienceFields,
    el('label', {}, t('new.priority'), priority, el('span', { class: 'hint', text: t('new.priority.hint') }), err('priority')),
    el('label', {}, sendAtLabel, sendAt, err('sendAt')),
    el('div', { class: 'card try-one' }, el('label', {}, t('new.tryOne'), testUser),
      el('button', { type: 'button', class: 'secondary', id: 'send-one', onclick: () => {
        if (!testUser.value.trim()) { result.textContent = t('new.tryOne.empty'); return; }
        submit({ openIds: [testUser.value.trim()] });
      } }, t('new.tryOne.submit'))),
    el('p', { class: 'error form-error', role: 'alert' }),
    previewHint,
    el('div', { class: 'actions' }, el('button', { type: 'submit', class: 'secondary', id: 'preview-button' }, t('new.preview')), send),
    preview,
    result);
  form.addEventListener('submit', ev => { ev.preventDefault(); runPreview(); });
  showAudience();
  page(t('new.title'), el('div', { class: 'card' }, form));
  if (appId) await loadTemplates().catch(e => showFieldErrors(form, e));
}

async function appsPage() {
  const cards = [];
  for (const a of state.apps) cards.push(appCard(a.appId));
  page(t('apps.title'), ...(cards.length ? cards : [el('p', { text: t('common.noApp') })]));
}

function quotaView(q, zone) {
  if (!q) return el('div', { class: 'quota', 'data-remain': '', text: t('apps.quota.none') });
  const bar = el('div', { class: 'progress quota-bar' });
  const used = el('span', { class: q.remain > 0 ? 'sent' : 'failed' });
  used.style.width = (q.dailyLimit ? Math.min(100, 100 * q.used / q.dailyLimit) : 0) + '%';
  bar.append(used);
  return el('div', { class: 'quota', 'data-remain': q.remain, 'data-limit': q.dailyLimit },
    el('div', { text: t('apps.quota.used', { used: q.used, limit: q.dailyLimit, remain: q.remain }) }), bar,
    el('div', { class: 'hint' }, q.rateLimit ? t('apps.quota.rate', { count: q.rateLimit.callCount, seconds: q.rateLimit.refreshSecond }) + ' · ' : '', t('apps.quota.refreshed', { time: formatTime(q.refreshedAt, zone) })));
}

function appCard(appId) {
  const admin = may('admin');
  const form = el('form', { class: 'policy', 'data-app': appId });
  const quietOn = el('input', { type: 'checkbox', name: 'quietOn' });
  // 24-hour text, not <input type=time>: that one follows the browser's locale (10:00 PM)
  const timeInput = (name, value) => el('input', { type: 'text', name, value, class: 'hhmm', inputmode: 'numeric', pattern: '([01][0-9]|2[0-3]):[0-5][0-9]', placeholder: value });
  const from = timeInput('from', '22:00');
  const to = timeInput('to', '08:00');
  const zone = el('input', { type: 'text', name: 'zone', value: DEFAULT_ZONE, class: 'zone' });
  const cap = el('input', { type: 'number', name: 'maxPerUserPerDay', min: 1, placeholder: t('apps.cap.none') });
  const reserve = el('input', { type: 'checkbox', name: 'reserveLast' });
  const saved = el('p', { class: 'hint saved', role: 'status' });
  const info = el('dl', { class: 'app-info' });
  const quota = el('div', { class: 'quota-slot' });
  const readOnly = el('dl', { class: 'policy-view' });
  const canvas = el('canvas', { class: 'expiring-chart' });
  const err = f => el('span', { class: 'field-error', 'data-error-for': f });
  form.append(
    el('label', { class: 'inline' }, quietOn, t('apps.quietHours')), el('label', { class: 'inline' }, t('apps.from'), from), el('label', { class: 'inline' }, t('apps.to'), to),
    el('label', { class: 'inline' }, t('apps.zone'), zone), err('quietHours.from'), err('quietHours.to'), err('quietHours.zone'),
    el('label', {}, t('apps.cap'), cap, err('maxPerUserPerDay')),
    el('label', { class: 'inline' }, reserve, t('apps.reserve')), err('reserveLast'),
    el('p', { class: 'error form-error', role: 'alert' }),
    el('div', { class: 'actions' }, el('button', { type: 'submit', class: 'save' }, t('apps.save'))), saved);
  form.addEventListener('submit', async ev => {
    ev.preventDefault();
    const hhmm = /^([01][0-9]|2[0-3]):[0-5][0-9]$/;
    if (quietOn.checked && (!hhmm.test(from.value) || !hhmm.test(to.value))) {
      showFieldErrors(form, new ApiError(400, { error: { message: t('apps.timeBad') } }));
      return;
    }
    const body = { quietHours: quietOn.checked ? { from: from.value, to: to.value, zone: zone.value.trim() } : null,
      maxPerUserPerDay: cap.value ? Number(cap.value) : null, reserveLast: reserve.checked };
    try {
      await api('PUT', '/v1/apps/' + encodeURIComponent(appId) + '/policy', body);
      showFieldErrors(form, null);
      delete state.zones[appId];
      saved.textContent = t('apps.saved', { time: formatClock(Date.now(), await zoneOf(appId)) });
    } catch (e) { showFieldErrors(form, e); }
  });
  (async () => {
    const a = await api('GET', '/v1/apps/' + encodeURIComponent(appId));
    const p = a.policy;
    const z = (p.quietHours && p.quietHours.zone) || DEFAULT_ZONE;
    state.zones[appId] = z;
    quietOn.checked = !!p.quietHours;
    if (p.quietHours) { from.value = p.quietHours.from; to.value = p.quietHours.to; zone.value = p.quietHours.zone; }
    cap.value = p.maxPerUserPerDay || '';
    reserve.checked = !!p.reserveLast;
    readOnly.replaceChildren(...pairs([
      [t('apps.quietHours'), p.quietHours ? t('apps.quiet.window', p.quietHours) : t('apps.quiet.off')],
      [t('apps.cap'), p.maxPerUserPerDay || t('apps.cap.none')],
      [t('apps.reserve'), p.reserveLast ? t('common.yes') : t('common.no')]]));
    quota.replaceChildren(quotaView(a.quota, z));
    const grants = Object.entries(a.users.grantsByTemplate || {});
    info.replaceChildren(
      el('dt', { text: t('apps.paused') }), el('dd', { class: 'pause', text: a.pause ? t('apps.paused.until',
        { kind: t('apps.paused.' + a.pause.kind), code: a.pause.errcode, time: formatTime(a.pause.until, z) }) : t('apps.paused.no') }),
      el('dt', { text: t('apps.usersTimed') }), el('dd', { class: 'users-timed', text: a.users.formIdOrPrepayId }),
      el('dt', { text: t('apps.usersGrants') }), el('dd', { class: 'users-grants', text: grants.length ? grants.map(g => g[0] + ': ' + g[1]).join(', ') : t('common.none') }),
      el('dt', { text: t('apps.counted') }), el('dd', { text: formatTime(a.countedAt, z) }));
    canvas.setAttribute('data-days', a.expiringPerDay.map(d => d.day + '=' + d.users).join(','));
    chart(canvas, a.expiringPerDay.map(d => d.day), [{ label: t('push.chartUsers'), data: a.expiringPerDay.map(d => d.users), backgroundColor: '#07c160' }], false);
  })().catch(e => { info.textContent = e.message; });
  const policy = admin ? form : el('div', {}, readOnly, el('p', { class: 'hint read-only', text: t('apps.readOnly') }));
  return el('div', { class: 'card app', 'data-app': appId }, el('h2', { text: appId }),
    el('div', { class: 'grid2' }, el('div', {}, el('h2', { text: t('apps.quota') }), quota, el('h2', { text: t('apps.policy') }), policy),
      el('div', {}, info, el('h2', { text: t('apps.expiring') }), el('div', { class: 'chart' }, canvas))));
}

/** An audit record's outcome in words: accepted, replaced, cancelled, cancelling, retried:<n>. */
function auditOutcome(o) {
  const m = /^retried:(\d+)$/.exec(o || '');
  if (m) return t('outcome.retried', { n: m[1] });
  return hasMessage('outcome.' + o) ? t('outcome.' + o) : o;
}

async function auditPage(params) {
  if (!may('admin')) { page(t('audit.title'), el('p', { class: 'hint', id: 'not-allowed', text: t('common.notAllowed', { role: t('role.' + state.role) }) })); return; }
  const appId = params.get('appId') || (state.apps[0] && state.apps[0].appId);
  const appSel = appSelect('audit-app', appId, () => go('#/audit?appId=' + appSel.value));
  const zone = await zoneOf(appId);
  const body = el('tbody', { id: 'audit-body' });
  const note = el('p', { class: 'hint', id: 'audit-note' });
  const more = el('button', { type: 'button', class: 'secondary', id: 'audit-more', hidden: true }, t('common.more'));
  let cursor = null;
  const load = async () => {
    const a = await api('GET', '/v1/audit?appId=' + encodeURIComponent(appId) + '&limit=50' + (cursor ? '&cursor=' + encodeURIComponent(cursor) : ''));
    body.append(...a.records.map(r => el('tr', { 'data-action': r.action, 'data-target': r.target, 'data-key': r.key },
      el('td', { text: formatTime(r.at, zone, false) }), el('td', { text: r.app }),
      el('td', { text: hasMessage('action.' + r.action) ? t('action.' + r.action) : r.action }),
      el('td', {}, r.target && r.action.startsWith('push') ? el('a', { href: '#/push/' + encodeURIComponent(r.target) + '?appId=' + encodeURIComponent(r.app), text: r.target }) : (r.target || '')),
      el('td', {}, el('code', { text: r.key })), el('td', { text: auditOutcome(r.outcome) }))));
    cursor = a.nextCursor || null;
    more.hidden = !cursor;
    note.textContent = body.children.length ? '' : t('audit.empty', { app: appId });
  };
  more.addEventListener('click', () => load().catch(e => { note.textContent = e.message; }));
  page(t('audit.title'), el('p', { class: 'hint', text: t('audit.hint') }),
    el('div', { class: 'filters' }, el('label', {}, t('common.app') + ' ', appSel)),
    el('table', { id: 'audit' }, el('thead', {}, el('tr', {}, el('th', { text: t('audit.col.at') + ' (' + zone + ')' }),
      ...['app', 'action', 'target', 'key', 'outcome'].map(c => el('th', { text: t('audit.col.' + c) })))), body), note, more);
  if (!appId) { note.textContent = t('common.noApp'); return; }
  await load();
}

async function fleetPage() {
  const body = el('tbody', { id: 'fleet-body' });
  const zone = DEFAULT_ZONE; // processes serve every app: Beijing time
  page(t('fleet.title'), el('table', { id: 'fleet' }, el('thead', {}, el('tr', {}, ...['process', 'role', 'version', 'started', 'lastSeen', 'loops', 'rate']
    .map(h => el('th', { text: t('fleet.col.' + h) + (h === 'started' || h === 'lastSeen' ? ' (' + zone + ')' : '') })))), body),
  el('p', { class: 'hint', text: t('fleet.hint') }));
  every(5000, async () => {
    const f = await api('GET', '/v1/fleet');
    body.replaceChildren(...f.processes.map(p => el('tr', { 'data-role': p.role },
      el('td', { text: p.id }), el('td', { text: p.role }), el('td', { text: p.version }), el('td', { text: formatTime(p.startedAt, zone, false) }),
      el('td', { text: formatTime(p.lastSeen, zone, false, true) }), el('td', { class: 'num', text: p.loopsUp + ' / ' + p.loops }),
      el('td', { class: 'num', text: p.sendsPerSecond.toFixed(1) }))));
  });
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
