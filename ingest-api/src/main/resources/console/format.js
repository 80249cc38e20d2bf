// What the console shows, and how: the language (zh-CN by default, en on the switch, remembered in
// localStorage), message look-up in messages.js, times in an app's zone, and a push's reasons
// grouped as skipped / failed / in doubt. No UI text lives here: every word comes from the table.
'use strict';

const LANG_ITEM = 'wxpush.lang';
const LANGS = ['zh-CN', 'en'];
/** Where a day begins when an app's policy names no zone: WeChat's own, Beijing time (as the server's Policy). */
const DEFAULT_ZONE = 'Asia/Shanghai';

function lang() {
  const l = localStorage.getItem(LANG_ITEM);
  return LANGS.includes(l) ? l : LANGS[0];
}

function setLang(l) {
  localStorage.setItem(LANG_ITEM, LANGS.includes(l) ? l : LANGS[0]);
}

/** Whether the current language has a message for {@code key} (not the fallback). */
function hasMessage(key) {
  return Object.prototype.hasOwnProperty.call(window.WXPUSH_MESSAGES[lang()], key);
}

/** The message {@code key} in the current language, its {name} slots filled from {@code params}. */
function t(key, params) {
  const table = window.WXPUSH_MESSAGES;
  let m = table[lang()][key];
  if (m === undefined) m = table[LANGS[0]][key];
  if (m === undefined) return key;
  return m.replace(/\{(\w+)\}/g, (all, name) => (params && params[name] !== undefined && params[name] !== null ? String(params[name]) : all));
}

/** Fills every element carrying data-i18n (its text) or data-i18n-placeholder in {@code root}. */
function translateStatic(root) {
  for (const e of root.querySelectorAll('[data-i18n]')) e.textContent = t(e.dataset.i18n);
  for (const e of root.querySelectorAll('[data-i18n-placeholder]')) e.placeholder = t(e.dataset.i18nPlaceholder);
  document.documentElement.lang = lang();
  document.title = t('title');
}

// ---------------------------------------------------------------- times

/** The wall-clock fields of {@code ms} in {@code zone}: {year, month, day, hour, minute, second} as numbers. */
function wallClock(ms, zone) {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit',
    day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' }).formatToParts(new Date(ms));
  const f = {};
  for (const p of parts) if (p.type !== 'literal') f[p.type] = Number(p.value);
  return f;
}

const pad = n => String(n).padStart(2, '0');

/**
 * A moment as the console writes every time, the same in both languages: {@code 2026-12-02 19:32
 * (Asia/Shanghai)}, 24-hour, in the app's zone, the zone named. {@code withZone} false leaves the
 * zone out where a column header names it; {@code withSeconds} adds them where minutes are too coarse.
 */
function formatTime(ms, zone, withZone = true, withSeconds = false) {
  if (!ms) return '—';
  const z = zone || DEFAULT_ZONE;
  const f = wallClock(ms, z);
  return f.year + '-' + pad(f.month) + '-' + pad(f.day) + ' ' + pad(f.hour) + ':' + pad(f.minute) + (withSeconds ? ':' + pad(f.second) : '')
    + (withZone ? ' (' + z + ')' : '');
}

/** The same as {@link formatTime} with seconds: for "updated at" notes, where minutes are too coarse. */
function formatClock(ms, zone) {
  const f = wallClock(ms, zone || DEFAULT_ZONE);
  return pad(f.hour) + ':' + pad(f.minute) + ':' + pad(f.second);
}

/**
 * Epoch ms of a wall-clock time written {@code YYYY-MM-DD HH:mm} in {@code zone}, or null when the
 * text is not one. The zone's offset is read at the guess and read again at the answer, so a
 * moment near a daylight-saving change lands right.
 */
function parseZonedTime(text, zone) {
  const m = /^\s*(\d{4})-(\d{1,2})-(\d{1,2})[ T](\d{1,2}):(\d{2})\s*$/.exec(text || '');
  if (!m) return null;
  const [y, mo, d, h, mi] = m.slice(1).map(Number);
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59) return null;
  const wanted = Date.UTC(y, mo - 1, d, h, mi);
  const offsetAt = ms => {
    const f = wallClock(ms, zone);
    return Date.UTC(f.year, f.month - 1, f.day, f.hour, f.minute, f.second) - Math.floor(ms / 1000) * 1000;
  };
  let ms = wanted - offsetAt(wanted);
  ms = wanted - offsetAt(ms);
  return ms;
}

// ---------------------------------------------------------------- a push's reasons

/**
 * The three groups a push's reasons fall in, each with its colour (app.css has the same names):
 * skipped — nothing was sent and nothing spent, by the push's or the app's own rules (no
 * credential, the daily cap, the reserve, past notAfter, cancelled); in doubt — a send whose answer
 * never came (it may have been delivered; never resent); failed — surely not delivered (WeChat's
 * errcodes, a failure WeChat reported later, given up after redeliveries, past the ledger's grace).
 */
const REASON_GROUPS = [
  { id: 'skipped', color: '#a7aaad' },
  { id: 'failed', color: '#d63638' },
  { id: 'doubt', color: '#dba617' },
];
const SKIPPED = ['none', 'capped', 'reserved', 'not_after', 'cancelled'];
const IN_DOUBT = ['in_doubt', 'timeout', 'connection_lost'];

/** The group ({@link REASON_GROUPS} id) of a byReason key. */
function reasonGroup(reason) {
  if (SKIPPED.includes(reason)) return 'skipped';
  if (IN_DOUBT.includes(reason) || /^http_\d+$/.test(reason) || reason.endsWith('_in_doubt')) return 'doubt';
  return 'failed';
}

/** A byReason key as people read it: a label from the table, an errcode named when the table knows it. */
function reasonLabel(reason) {
  if (window.WXPUSH_MESSAGES[LANGS[0]]['reason.' + reason] !== undefined) return t('reason.' + reason);
  let m;
  if ((m = /^(.*)_in_doubt$/.exec(reason))) return t('reason.inDoubtOf', { reason: reasonLabel(m[1]) });
  if ((m = /^http_(\d+)$/.exec(reason))) return t('reason.http', { code: m[1] });
  if ((m = /^redelivered_(\d+)_times$/.exec(reason))) return t('reason.redelivered', { n: m[1] });
  if ((m = /^async_(-?\d+)$/.exec(reason))) return t('reason.async', { code: m[1] });
  if (/^-?\d+$/.test(reason)) return t('reason.errcode', { code: reason });
  return reason;
}
