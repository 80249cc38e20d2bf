// The wxpush operator console: one page, plain JavaScript, talking only to wxpush's documented
// HTTP API (README "HTTP API", /openapi.json) with the push API key the operator signed in with.
// The key lives in sessionStorage (this tab only). Pages: #/pushes, #/push/<requestId>?appId=<app>, #/new,
// #/apps, #/fleet. Nothing is loaded from another origin (the page's CSP forbids it).
'use strict';

const KEY_ITEM = 'wxpush.key';
const REFRESH_MS = 2000;
const state = { apps: [], timer: null, charts: [] };
const COUNTS = ['sent', 'noCredential', 'failed', 'unknown', 'cancelled'];

// ---------------------------------------------------------------- API

class ApiError extends Error {
  constructor(status, body) {
    super((body && body.error && body.error.message) || ('HTTP ' + status));
    this.status = status;
    this.code = body && body.error && body.error.code;
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
  if (res.status === 401) { signOut('Your key was refused; sign in again.'); throw new ApiError(401, json); }
  if (!res.ok) throw new ApiError(res.status, json);
  return json;
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

function time(ms) {
  if (!ms) return '—';
  return new Date(ms).toLocaleString();
}

function stateBadge(s) {
  return el('span', { class: 'state ' + s, 'data-state': s, text: s.replace('_', ' ') });
}

function progress(s) {
  const targets = Math.max(s.targets || 0, 1);
  const bar = el('div', { class: 'progress', role: 'progressbar', 'aria-valuemin': 0, 'aria-valuemax': s.targets || 0,
    'aria-valuenow': (s.targets || 0) - (s.pending || 0), title: COUNTS.map(c => c + ' ' + (s[c] || 0)).join(', ') });
  for (const c of COUNTS) {
    if (!s[c]) continue;
    const part = el('span', { class: c });
    part.style.width = (100 * s[c] / targets) + '%'; // through the CSSOM: the page's CSP allows no style attributes
    bar.append(part);
  }
  const done = s.targets ? Math.round(100 * (s.targets - s.pending) / s.targets) : (s.final ? 100 : 0);
  return el('div', {}, bar, el('span', { class: 'pct', 'data-pct': done, text: done + ' % of ' + (s.targets || 0) }));
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
  for (const e of form.querySelectorAll('.field-error')) e.textContent = '';
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

function chart(canvas, labels, values, label, color) {
  if (!window.Chart) return null; // the page still works without its charts
  const c = new window.Chart(canvas, {
    type: 'bar',
    data: { labels, datasets: [{ label, data: values, backgroundColor: color || '#07c160' }] },
    options: { animation: false, responsive: true, maintainAspectRatio: false, plugins: { legend: { display: false } },
      scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } }
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
  for (const s of states) stateSel.append(el('option', { value: s, selected: s === wanted, text: s || 'any state' }));
  const appSel = appSelect('app-filter', appId, () => go('#/pushes?appId=' + appSel.value + '&state=' + stateSel.value));
  const body = el('tbody', { id: 'pushes-body' });
  const note = el('p', { class: 'hint', id: 'pushes-note' });
  page('Pushes',
    el('div', { class: 'filters' }, el('label', {}, 'App ', appSel), el('label', {}, 'State ', stateSel)),
    el('table', { id: 'pushes' },
      el('thead', {}, el('tr', {}, el('th', { text: 'Push' }), el('th', { text: 'State' }), el('th', { text: 'Template' }),
        el('th', { class: 'num', text: 'Targets' }), el('th', { text: 'Progress' }), el('th', { text: 'Created' }))),
      body),
    note);
  if (!appId) { note.textContent = 'This key may act for no app.'; return; }
  every(REFRESH_MS, async () => {
    const q = '/v1/pushes?appId=' + encodeURIComponent(appId) + '&limit=50' + (wanted ? '&state=' + wanted : '');
    const list = await api('GET', q);
    const rows = list.pushes.map(s => el('tr', { 'data-request-id': s.requestId },
      el('td', {}, el('a', { href: '#/push/' + encodeURIComponent(s.requestId) + '?appId=' + encodeURIComponent(s.appId || appId), text: s.requestId })),
      el('td', {}, stateBadge(s.state), s.resumesAt ? el('div', { class: 'hint', text: 'resumes ' + time(s.resumesAt) }) : null),
      el('td', { text: (s.request && s.request.templateId) || '' }),
      el('td', { class: 'num', text: s.targets }),
      el('td', {}, progress(s)),
      el('td', { text: time(s.timeline && s.timeline.createdAt) })));
    body.replaceChildren(...rows);
    note.textContent = list.pushes.length ? 'Updated ' + new Date().toLocaleTimeString() + '.' : 'No pushes of ' + appId + ' in the last 8 days.';
  });
}

async function pushPage(requestId, appId) {
  // a requestId belongs to its app: every call names it (a key of several apps must, when two use the id)
  const ofApp = appId ? '?appId=' + encodeURIComponent(appId) : '';
  const counts = el('div', { class: 'counts', id: 'counts' });
  const bar = el('div', { id: 'bar' });
  const reasons = el('canvas', { id: 'reasons-chart' });
  const noReasons = el('p', { class: 'hint', id: 'no-reasons' });
  const request = el('dl', { id: 'request' });
  const timeline = el('dl', { id: 'timeline' });
  const message = el('p', { class: 'hint', id: 'action-result', role: 'status' });
  const cancel = el('button', { type: 'button', class: 'danger', id: 'cancel', onclick: async () => {
    if (!confirm('Cancel push ' + requestId + '? Nothing more of it is sent; unsent credentials stay with the users.')) return;
    try {
      const r = await api('DELETE', '/v1/pushes/' + encodeURIComponent(requestId) + ofApp);
      message.textContent = 'Cancel accepted: ' + r.state + '.';
    } catch (e) { message.textContent = e.message; }
  } }, 'Cancel push');
  const retry = el('button', { type: 'button', class: 'secondary', id: 'retry', onclick: async () => {
    if (!confirm('Send again to the users whose task went to the DLQ and surely did not reach WeChat?')) return;
    try {
      const r = await api('POST', '/v1/pushes/' + encodeURIComponent(requestId) + '/retry' + ofApp, {});
      message.textContent = 'Retrying ' + r.retried + ' user(s).';
    } catch (e) { message.textContent = e.message; }
  } }, 'Retry DLQ\'d users');
  const state0 = el('span', { id: 'push-state' });
  page('Push ' + requestId,
    el('div', { class: 'card' }, el('p', {}, 'State: ', state0), bar, counts, el('div', { class: 'actions' }, cancel, retry), message),
    el('div', { class: 'grid2' },
      el('div', { class: 'card' }, el('h2', { text: 'By reason' }), el('div', { class: 'chart' }, reasons), noReasons),
      el('div', { class: 'card' }, el('h2', { text: 'Request' }), request, el('h2', { text: 'Timeline' }), timeline)));
  let reasonsChart = null;
  let lastReasons = '';
  every(REFRESH_MS, async () => {
    let s;
    try { s = await api('GET', '/v1/pushes/' + encodeURIComponent(requestId) + ofApp); } catch (e) {
      state0.textContent = e.status === 404 ? 'no such push (or not of an app this key acts for)' : e.message;
      return;
    }
    state0.replaceChildren(stateBadge(s.state), s.resumesAt ? ' — waits out quiet hours until ' + time(s.resumesAt) : '',
      s.reason ? ' — ' + s.reason : '');
    bar.replaceChildren(progress(s));
    counts.replaceChildren(...['targets', ...COUNTS, 'pending', 'retryable'].map(c =>
      el('div', { 'data-count': c }, el('b', { text: s[c] || 0 }), c)));
    cancel.disabled = s.final; // the status says which states are final (PushState)
    retry.disabled = !s.retryable || s.state === 'cancelled';
    const entries = Object.entries(s.byReason || {}).sort((a, b) => b[1] - a[1]);
    const key = JSON.stringify(entries);
    if (key !== lastReasons) {
      lastReasons = key;
      noReasons.textContent = entries.length ? '' : 'No reasons yet: nothing failed and every user had a credential.';
      if (reasonsChart) reasonsChart.destroy();
      reasonsChart = entries.length ? chart(reasons, entries.map(e => e[0]), entries.map(e => e[1]), 'users', '#d63638') : null;
      reasons.setAttribute('data-reasons', entries.map(e => e[0] + '=' + e[1]).join(','));
    }
    const r = s.request || {};
    const audience = r.audience ? (r.audience.all ? 'everyone' : r.audience.expiringWithin ? 'expiring within ' + r.audience.expiringWithin
      : r.audience.listed + ' listed user(s): ' + (r.audience.first || []).join(', ') + (r.audience.listed > 5 ? ', …' : '')) : '—';
    request.replaceChildren(...[['app', s.appId], ['kind', r.kind], ['template', r.templateId], ['page', r.page],
      ['data', r.data && JSON.stringify(r.data)], ['audience', audience], ['priority', r.priority],
      ['sendAt', r.sendAt && time(r.sendAt)], ['notAfter', r.notAfter && time(r.notAfter)]]
      .filter(p => p[1]).flatMap(p => [el('dt', { text: p[0] }), el('dd', { text: p[1] })]));
    const t = s.timeline || {};
    timeline.replaceChildren(...[['accepted', t.createdAt], ['fan-out started', t.startedAt], ['fan-out done', t.fanoutDoneAt],
      ['cancel asked', t.cancelledAt], ['finished', t.finishedAt]]
      .filter(p => p[1]).flatMap(p => [el('dt', { text: p[0] }), el('dd', { text: time(p[1]) })]));
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
  if (!value.length) return 'a value is required';
  if (k.maxLength && chars.length > k.maxLength) return 'at most ' + k.maxLength + ' characters here (' + chars.length + ')';
  if (k.pattern && !new RegExp('^(?:' + k.pattern + ')$', 'u').test(value)) return k.limit;
  return null;
}

async function newPushPage(params) {
  const appId = params.get('appId') || (state.apps[0] && state.apps[0].appId);
  const form = el('form', { id: 'new-push', novalidate: true });
  const kind = el('select', { name: 'kind', id: 'kind' }, el('option', { value: 'subscribe', text: 'subscribe (spends grants)' }),
    el('option', { value: 'template', text: 'template (legacy: form_id / prepay_id)' }));
  const templateSel = el('select', { id: 'template-select', class: 'wide' });
  const templateText = el('input', { type: 'text', id: 'template-id', placeholder: 'legacy template id' });
  const keywords = el('div', { id: 'keywords' });
  const addKeyword = el('button', { type: 'button', class: 'secondary', id: 'add-keyword', onclick: () => keywords.append(freeKeyword('')) },
    'Add keyword');
  const audienceKind = el('select', { id: 'audience-kind' }, el('option', { value: 'openIds', text: 'listed users' }),
    el('option', { value: 'all', text: 'everyone with a credential' }), el('option', { value: 'expiringWithin', text: 'credentials expiring within' }));
  const openIds = el('textarea', { id: 'open-ids', placeholder: 'one openId per line (or comma separated)' });
  const file = el('input', { type: 'file', id: 'open-ids-file', accept: '.txt,.csv', onchange: async () => {
    if (file.files[0]) openIds.value = (openIds.value ? openIds.value + '\n' : '') + await file.files[0].text();
  } });
  const expiring = el('input', { type: 'text', id: 'expiring-within', value: '48h' });
  const priority = el('select', { id: 'priority' }, ...['normal', 'low', 'critical'].map(p => el('option', { value: p, text: p })));
  const sendAt = el('input', { type: 'datetime-local', id: 'send-at' });
  const pagePath = el('input', { type: 'text', id: 'page-path', placeholder: 'pages/index/index?x=1 (optional)' });
  const testUser = el('input', { type: 'text', id: 'test-open-id', placeholder: 'openId of one user' });
  const result = el('p', { class: 'hint', id: 'new-push-result', role: 'status' });
  let templates = [];

  function err(field) { return el('span', { class: 'field-error', 'data-error-for': field }); }

  function typedKeyword(k) {
    const input = el('input', { type: 'text', name: k.name, 'data-keyword': k.name, 'data-type': k.type, 'data-max-length': k.maxLength });
    const problem = el('span', { class: 'field-error live', 'data-problem-for': k.name });
    const box = el('label', { class: 'keyword' }, k.name + ' ', el('span', { class: 'hint', text: '(' + k.type + ': ' + k.limit + ')' }),
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
    const v = el('input', { type: 'text', class: 'kw-value', placeholder: 'value' });
    return el('div', { class: 'keyword free' }, n, v, err('data.' + name));
  }

  function showTemplate() {
    keywords.replaceChildren();
    const subscribe = kind.value === 'subscribe';
    templateSel.hidden = !subscribe && !templates.legacy.length;
    templateText.hidden = subscribe;
    addKeyword.hidden = subscribe;
    const list = subscribe ? templates.subscribe : templates.legacy;
    const chosen = list.find(t => t.templateId === templateSel.value);
    if (subscribe && chosen) for (const k of chosen.keywords) keywords.append(typedKeyword(k));
    if (!subscribe) {
      if (chosen) templateText.value = chosen.templateId;
      for (const k of (chosen ? chosen.keywords : [{ name: 'keyword1' }])) keywords.append(freeKeyword(k.name));
    }
  }

  function fillTemplates() {
    const list = kind.value === 'subscribe' ? templates.subscribe : templates.legacy;
    // a long-term template (type long_term) is sent on a standing permission: say so where it is chosen
    templateSel.replaceChildren(...list.map(t => el('option', { value: t.templateId,
      text: t.templateId + (t.title ? ' — ' + t.title : '') + (t.type === 'long_term' ? ' (long-term)' : '') })));
    showTemplate();
  }

  async function loadTemplates() {
    const t = await api('GET', '/v1/templates?appId=' + encodeURIComponent(appSel.value));
    templates = { subscribe: t.templates.filter(x => !x.gone), legacy: t.legacyTemplates };
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
    if (sendAt.value) b.sendAt = new Date(sendAt.value).getTime();
    if (audienceOverride) b.audience = audienceOverride;
    else if (audienceKind.value === 'all') b.audience = { all: true };
    else if (audienceKind.value === 'expiringWithin') b.audience = { expiringWithin: expiring.value.trim() };
    else b.audience = { openIds: openIds.value.split(/[\s,]+/).map(s => s.trim()).filter(Boolean) };
    return b;
  }

  async function submit(audienceOverride) {
    let ok = true;
    for (const input of keywords.querySelectorAll('[data-keyword]')) ok = input.check() && ok;
    if (!ok) { showFieldErrors(form, new ApiError(400, { error: { message: 'Fix the values marked above first.' } })); return; }
    try {
      const b = body(audienceOverride);
      const r = await api('POST', '/v1/pushes', b);
      showFieldErrors(form, null);
      result.replaceChildren('Accepted: ', el('a', { href: '#/push/' + encodeURIComponent(r.requestId) + '?appId=' + encodeURIComponent(b.appId), id: 'new-push-link', text: r.requestId }));
      if (!audienceOverride) go('#/push/' + encodeURIComponent(r.requestId) + '?appId=' + encodeURIComponent(b.appId));
    } catch (e) {
      showFieldErrors(form, e);
    }
  }

  const appSel = appSelect('new-app', appId, () => loadTemplates().catch(e => showFieldErrors(form, e)));
  kind.addEventListener('change', fillTemplates);
  templateSel.addEventListener('change', showTemplate);
  const audienceFields = el('div', {});
  const showAudience = () => audienceFields.replaceChildren(...(audienceKind.value === 'openIds' ? [openIds, file, err('audience.openIds')]
    : audienceKind.value === 'expiringWithin' ? [expiring, el('span', { class: 'hint', text: '1h to 7d: users whose soonest form_id or prepay_id expires within it' }),
      err('audience.expiringWithin')] : []));
  audienceKind.addEventListener('change', showAudience);
  form.append(
    el('label', {}, 'App', appSel, err('appId')),
    el('label', {}, 'Kind', kind, err('kind')),
    el('label', {}, 'Template', templateSel, templateText, err('templateId')),
    keywords, addKeyword, err('data'),
    el('label', {}, 'Page (optional)', pagePath, err('page')),
    el('label', {}, 'Audience', audienceKind, err('audience')), audienceFields,
    el('label', {}, 'Priority', priority, el('span', { class: 'hint', text: 'critical ignores quiet hours, caps and the reserve; low never spends a user\'s last credential when the app reserves it' }), err('priority')),
    el('label', {}, 'Send at (optional)', sendAt, err('sendAt')),
    el('div', { class: 'card' }, el('label', {}, 'Try it on one user first', testUser),
      el('button', { type: 'button', class: 'secondary', id: 'send-one', onclick: () => {
        if (!testUser.value.trim()) { result.textContent = 'Give the openId of the user to try it on.'; return; }
        submit({ openIds: [testUser.value.trim()] });
      } }, 'Send to this user only')),
    el('p', { class: 'error form-error', role: 'alert' }),
    el('div', { class: 'actions' }, el('button', { type: 'submit', id: 'send' }, 'Send push')),
    result);
  form.addEventListener('submit', ev => { ev.preventDefault(); submit(null); });
  showAudience();
  page('New push', el('div', { class: 'card' }, form));
  if (appId) await loadTemplates().catch(e => showFieldErrors(form, e));
}

async function appsPage() {
  const cards = [];
  for (const a of state.apps) cards.push(appCard(a.appId));
  page('Apps', ...(cards.length ? cards : [el('p', { text: 'This key may act for no app.' })]));
}

function appCard(appId) {
  const form = el('form', { class: 'policy', 'data-app': appId });
  const quietOn = el('input', { type: 'checkbox', name: 'quietOn' });
  const from = el('input', { type: 'time', name: 'from', value: '22:00' });
  const to = el('input', { type: 'time', name: 'to', value: '08:00' });
  const zone = el('input', { type: 'text', name: 'zone', value: 'Asia/Shanghai' });
  const cap = el('input', { type: 'number', name: 'maxPerUserPerDay', min: 1, placeholder: 'no cap' });
  const reserve = el('input', { type: 'checkbox', name: 'reserveLast' });
  const saved = el('p', { class: 'hint saved', role: 'status' });
  const info = el('dl', { class: 'app-info' });
  const canvas = el('canvas', { class: 'expiring-chart' });
  const err = f => el('span', { class: 'field-error', 'data-error-for': f });
  form.append(
    el('label', { class: 'inline' }, quietOn, 'Quiet hours'), el('label', { class: 'inline' }, 'from', from), el('label', { class: 'inline' }, 'to', to),
    el('label', { class: 'inline' }, 'zone', zone), err('quietHours.from'), err('quietHours.to'), err('quietHours.zone'),
    el('label', {}, 'Most messages per user per day', cap, err('maxPerUserPerDay')),
    el('label', { class: 'inline' }, reserve, 'Low pushes keep a user\'s last credential'), err('reserveLast'),
    el('p', { class: 'error form-error', role: 'alert' }),
    el('div', { class: 'actions' }, el('button', { type: 'submit', class: 'save' }, 'Save policy')), saved);
  form.addEventListener('submit', async ev => {
    ev.preventDefault();
    const body = { quietHours: quietOn.checked ? { from: from.value, to: to.value, zone: zone.value.trim() } : null,
      maxPerUserPerDay: cap.value ? Number(cap.value) : null, reserveLast: reserve.checked };
    try {
      await api('PUT', '/v1/apps/' + encodeURIComponent(appId) + '/policy', body);
      showFieldErrors(form, null);
      saved.textContent = 'Saved ' + new Date().toLocaleTimeString() + '; every worker uses it within 2 s.';
    } catch (e) { showFieldErrors(form, e); }
  });
  (async () => {
    const a = await api('GET', '/v1/apps/' + encodeURIComponent(appId));
    const p = a.policy;
    quietOn.checked = !!p.quietHours;
    if (p.quietHours) { from.value = p.quietHours.from; to.value = p.quietHours.to; zone.value = p.quietHours.zone; }
    cap.value = p.maxPerUserPerDay || '';
    reserve.checked = !!p.reserveLast;
    const grants = Object.entries(a.users.grantsByTemplate || {});
    const q = a.quota;
    info.replaceChildren(
      el('dt', { text: 'WeChat quota today' }), el('dd', { class: 'quota', 'data-remain': q ? q.remain : '',
        text: q ? q.used + ' used of ' + q.dailyLimit + ', ' + q.remain + ' left (read ' + time(q.refreshedAt) + ')' : 'not read yet' }),
      el('dt', { text: 'WeChat rate limit' }), el('dd', { class: 'quota-rate',
        text: q && q.rateLimit ? q.rateLimit.callCount + ' per ' + q.rateLimit.refreshSecond + ' s' : (q ? 'none reported' : 'not read yet') }),
      el('dt', { text: 'paused' }), el('dd', { class: 'pause', text: a.pause ? a.pause.kind + ' (' + a.pause.errcode + ') until ' + time(a.pause.until) : 'no' }),
      el('dt', { text: 'users with form_ids / prepay_ids' }), el('dd', { class: 'users-timed', text: a.users.formIdOrPrepayId }),
      el('dt', { text: 'users with grants' }), el('dd', { class: 'users-grants', text: grants.length ? grants.map(g => g[0] + ': ' + g[1]).join(', ') : 'none' }),
      el('dt', { text: 'counted' }), el('dd', { text: time(a.countedAt) }));
    canvas.setAttribute('data-days', a.expiringPerDay.map(d => d.day + '=' + d.users).join(','));
    chart(canvas, a.expiringPerDay.map(d => d.day), a.expiringPerDay.map(d => d.users), 'users');
  })().catch(e => { info.textContent = e.message; });
  return el('div', { class: 'card app', 'data-app': appId }, el('h2', { text: appId }),
    el('div', { class: 'grid2' }, el('div', {}, el('h2', { text: 'Policy' }), form),
      el('div', {}, info, el('h2', { text: 'Users whose soonest credential expires, by day' }), el('div', { class: 'chart' }, canvas))));
}

async function fleetPage() {
  const body = el('tbody', { id: 'fleet-body' });
  page('Fleet', el('table', { id: 'fleet' }, el('thead', {}, el('tr', {}, ...['Process', 'Role', 'Version', 'Started', 'Last seen', 'Loops up', 'Sends/s (1 min)']
    .map(h => el('th', { text: h })))), body), el('p', { class: 'hint', text: 'From the heartbeat each process writes every 5 s; one that stops beating leaves within 20 s.' }));
  every(5000, async () => {
    const f = await api('GET', '/v1/fleet');
    body.replaceChildren(...f.processes.map(p => el('tr', { 'data-role': p.role },
      el('td', { text: p.id }), el('td', { text: p.role }), el('td', { text: p.version }), el('td', { text: time(p.startedAt) }),
      el('td', { text: time(p.lastSeen) }), el('td', { class: 'num', text: p.loopsUp + ' / ' + p.loops }),
      el('td', { class: 'num', text: p.sendsPerSecond.toFixed(1) }))));
  });
}

// ---------------------------------------------------------------- shell

function go(hash) {
  if (location.hash === hash) route(); else location.hash = hash;
}

async function route() {
  stopRefresh();
  if (!sessionStorage.getItem(KEY_ITEM)) { showSignIn(); return; }
  document.getElementById('sign-in').hidden = true;
  document.getElementById('nav').hidden = false;
  document.getElementById('page').hidden = false;
  const [path, query] = (location.hash.slice(1) || '/pushes').split('?');
  const params = new URLSearchParams(query || '');
  const name = path.split('/')[1] || 'pushes';
  for (const a of document.querySelectorAll('nav a')) a.classList.toggle('active', a.dataset.page === name || (name === 'push' && a.dataset.page === 'pushes'));
  try {
    if (name === 'push') await pushPage(decodeURIComponent(path.split('/').slice(2).join('/')), params.get('appId'));
    else if (name === 'new') await newPushPage(params);
    else if (name === 'apps') await appsPage();
    else if (name === 'fleet') await fleetPage();
    else await pushesPage(params);
  } catch (e) {
    if (e.status !== 401) page('Something went wrong', el('p', { class: 'error', text: e.message }));
  }
}

function showSignIn(message) {
  document.getElementById('nav').hidden = true;
  document.getElementById('page').hidden = true;
  document.getElementById('sign-in').hidden = false;
  document.getElementById('sign-in-error').textContent = message || '';
}

function signOut(message) {
  stopRefresh();
  sessionStorage.removeItem(KEY_ITEM);
  state.apps = [];
  showSignIn(message);
}

async function signIn(key) {
  sessionStorage.setItem(KEY_ITEM, key);
  try {
    state.apps = (await api('GET', '/v1/apps')).apps;
  } catch (e) {
    if (e.status !== 401) showSignIn(e.message);
    sessionStorage.removeItem(KEY_ITEM);
    return false;
  }
  return true;
}

document.addEventListener('DOMContentLoaded', async () => {
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
