'use strict';

/**
 * CredentialStore keeps collected push credentials in wx storage, so that a credential
 * survives the app being killed between collection and upload.
 *
 * Every mutation is written through to storage synchronously (wx.setStorageSync) before it
 * returns: the original design kept formIds in globalData and lost them on every kill.
 * Storage is re-read on construction only; a mini-program runs its JS on one thread, so
 * the in-memory copy cannot drift from storage within one process.
 */

const DAY_MS = 24 * 60 * 60 * 1000;

/** How long WeChat honours a credential, by kind, in ms; absent means "never expires". */
const LIFETIME_MS = Object.freeze({
  form_id: 7 * DAY_MS,
  prepay_id: 7 * DAY_MS,
});

/** When the store is full, evict in this order (cheapest to lose first), oldest first. */
const EVICTION_ORDER = ['form_id', 'prepay_id', 'subscription'];

function identity(c) {
  // A subscription value is unique per accept, but the server keys grants by template,
  // so the template is part of the identity too.
  return c.kind + '\u0000' + (c.templateId || '') + '\u0000' + c.value;
}

function isWellFormed(c) {
  return c && typeof c === 'object'
    && typeof c.kind === 'string'
    && typeof c.value === 'string' && c.value.length > 0
    && typeof c.collectedAt === 'number' && isFinite(c.collectedAt)
    && (c.kind !== 'subscription' || typeof c.templateId === 'string');
}

class CredentialStore {
  /**
   * @param {object} opts
   * @param {object} opts.wx            the wx object (getStorageSync / setStorageSync)
   * @param {string} opts.key           storage key
   * @param {number} opts.maxStored     most credentials kept; beyond it the oldest form_ids go first
   * @param {() => number} opts.now     clock, epoch ms
   * @param {(msg: string, fields?: object) => void} opts.log  warning sink
   */
  constructor({ wx, key, maxStored, now, log }) {
    this.wx = wx;
    this.key = key;
    this.maxStored = maxStored;
    this.now = now;
    this.log = log;
    this.entries = this.load();
    this.byId = new Set(this.entries.map(identity));
    this.purgeExpired();
  }

  load() {
    let raw;
    try {
      raw = this.wx.getStorageSync(this.key);
    } catch (err) {
      this.log('wxpush: could not read stored credentials', { error: String(err && err.errMsg || err) });
      return [];
    }
    if (typeof raw === 'string' && raw !== '') {
      try { raw = JSON.parse(raw); } catch (_) { raw = null; }
    }
    if (!Array.isArray(raw)) return [];
    const seen = new Set();
    const out = [];
    for (const c of raw) {
      if (!isWellFormed(c) || seen.has(identity(c))) continue;
      seen.add(identity(c));
      out.push(c);
    }
    return out;
  }

  persist() {
    try {
      this.wx.setStorageSync(this.key, this.entries);
    } catch (err) {
      // Keep going from memory: this session can still upload them; only a kill now loses them.
      this.log('wxpush: could not persist credentials; keeping them in memory', {
        error: String(err && err.errMsg || err), count: this.entries.length,
      });
    }
  }

  /**
   * Adds one credential unless it is a duplicate or already expired.
   * @param {{kind: string, value: string, templateId?: string, collectedAt: number}} c
   * @returns {boolean} true when it was stored
   */
  add(c) {
    if (!isWellFormed(c) || this.isExpired(c) || this.byId.has(identity(c))) return false;
    this.entries.push(c);
    this.byId.add(identity(c));
    this.evictOverflow();
    this.persist();
    return this.byId.has(identity(c));
  }

  isExpired(c) {
    const life = LIFETIME_MS[c.kind];
    return life !== undefined && this.now() - c.collectedAt >= life;
  }

  /** Drops expired credentials; returns how many went. */
  purgeExpired() {
    const before = this.entries.length;
    const kept = this.entries.filter((c) => !this.isExpired(c));
    if (kept.length === before) return 0;
    this.replace(kept);
    this.log('wxpush: dropped expired credentials', { count: before - kept.length });
    return before - kept.length;
  }

  evictOverflow() {
    let excess = this.entries.length - this.maxStored;
    if (excess <= 0) return;
    const victims = new Set();
    for (const kind of EVICTION_ORDER) {
      const ofKind = this.entries.filter((c) => c.kind === kind)
        .sort((a, b) => a.collectedAt - b.collectedAt);
      for (const c of ofKind) {
        if (excess === 0) break;
        victims.add(c);
        excess--;
      }
    }
    this.log('wxpush: store full, dropped oldest credentials', { count: victims.size, maxStored: this.maxStored });
    this.entries = this.entries.filter((c) => !victims.has(c));
    this.byId = new Set(this.entries.map(identity));
  }

  /**
   * Removes the given credentials (matched by identity, not position, so collects that
   * happened meanwhile are untouched).
   */
  remove(credentials) {
    if (credentials.length === 0) return;
    const gone = new Set(credentials.map(identity));
    this.replace(this.entries.filter((c) => !gone.has(identity(c))));
  }

  replace(entries) {
    this.entries = entries;
    this.byId = new Set(entries.map(identity));
    this.persist();
  }

  /** Oldest-collected first, at most `limit`; copies, so callers cannot mutate the store. */
  oldest(limit) {
    return this.entries.slice()
      .sort((a, b) => a.collectedAt - b.collectedAt)
      .slice(0, limit)
      .map((c) => Object.assign({}, c));
  }

  get size() {
    return this.entries.length;
  }

  /** A snapshot of every stored credential. */
  all() {
    return this.entries.map((c) => Object.assign({}, c));
  }
}

module.exports = { CredentialStore, LIFETIME_MS, DAY_MS, identity };
