// The console's pages of pushes: the list (#/pushes) with live progress bars, and one push
// (#/push/<requestId>?appId=) with its counts, its reasons grouped and charted, what was asked, its
// timeline, cancel and retry for the roles that may, and one user's outcome. Uses app.js's helpers.
'use strict';

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

/** A reason's label with its code beside it, unless the label already names it. */
function withCode(label, code) {
  return label.includes(code) ? label : label + ' (' + code + ')';
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
        [t('push.lookup.reason'), u.reason && withCode(reasonLabel(u.reason), u.reason)],
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
