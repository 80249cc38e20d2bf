// The console's new-push form (#/new, operators and admins): the push is previewed as a dry run
// (nothing stored, published or spent) and "Send" sends exactly what was previewed. Uses app.js's
// helpers and its keywordProblem (the template list's own rules).
'use strict';

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
  file.classList.add('file-input');
  // the browser words its own file input in its locale ("Choose File"): a button of ours speaks the console's language
  const fileButton = el('label', { class: 'file-button secondary' }, file, t('new.audience.file'));
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
    audienceFields.replaceChildren(...(audienceKind.value === 'openIds' ? [openIds, fileButton, err('audience.openIds')]
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
