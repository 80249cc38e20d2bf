// The console's pages of apps (#/apps: quota, policy — edited by admins only —, counts), the audit
// trail (#/audit, admins) and the fleet (#/fleet). Uses app.js's helpers.
'use strict';

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
      el('td', { text: formatTime(r.at, zone, false, true) }), el('td', { text: r.app }),
      el('td', { text: hasMessage('action.' + r.action) ? t('action.' + r.action) : r.action }),
      el('td', {}, r.target && r.action.startsWith('push') ? el('a', { href: '#/push/' + encodeURIComponent(r.target) + '?appId=' + encodeURIComponent(r.app), text: r.target })
        : hasMessage('target.' + r.target) ? t('target.' + r.target) : (r.target || '')),
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
