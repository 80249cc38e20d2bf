'use strict';

/** The two kinds of subscribe template (BRIEF §3: `GET /v1/templates`' `type`). */
const ONE_TIME = 'one_time';
const LONG_TERM = 'long_term';

/**
 * LongTermTemplates knows which template ids are long-term and which of those the user is
 * known to have accepted. A long-term accept is a standing permission (the server keeps it
 * until a reject or 43101), so it is uploaded once and not asked for again while it is known
 * accepted; the accepted ids are kept in wx storage so that a relaunch remembers them.
 *
 * An id is long-term when the app configured it so (`longTermTemplateIds`) or passed it to
 * harvest as `{id, type: 'long_term'}`; every other id is one-time. A recorded accept is
 * forgotten when the user's setting keeps the template as 'reject'/'ban', when an answer
 * rejects it, or when the app calls `forget` (e.g. its server learnt of a 43101).
 */
class LongTermTemplates {
  /**
   * @param {object} opts
   * @param {object} opts.wx                 getStorageSync / setStorageSync
   * @param {string} opts.key                storage key of the accepted ids
   * @param {string[]} opts.longTermIds      the ids configured as long-term
   * @param {() => number} opts.now          epoch ms
   * @param {(msg: string, fields?: object) => void} opts.log
   */
  constructor({ wx, key, longTermIds, now, log }) {
    this.wx = wx;
    this.key = key;
    this.now = now;
    this.log = log;
    /** id → kind, for every id whose kind was configured or given. */
    this.kinds = new Map(longTermIds.map((id) => [id, LONG_TERM]));
    /** id → epoch ms of the recorded accept. */
    this.accepted = this.load();
  }

  load() {
    let raw;
    try {
      raw = this.wx.getStorageSync(this.key);
    } catch (err) {
      this.log('wxpush: could not read long-term accepts', { error: String((err && err.errMsg) || err) });
      return {};
    }
    if (typeof raw === 'string' && raw !== '') {
      try { raw = JSON.parse(raw); } catch (_) { raw = null; }
    }
    const out = {};
    if (raw && typeof raw === 'object' && !Array.isArray(raw)) {
      for (const id of Object.keys(raw)) if (typeof raw[id] === 'number') out[id] = raw[id];
    }
    return out;
  }

  persist() {
    try {
      this.wx.setStorageSync(this.key, this.accepted);
    } catch (err) {
      // This session still remembers; a relaunch may ask once more (the server's upload is idempotent).
      this.log('wxpush: could not persist long-term accepts', { error: String((err && err.errMsg) || err) });
    }
  }

  /** Records the kind of an id given to harvest; an unknown kind changes nothing. */
  learn(id, kind) {
    if (kind === LONG_TERM || kind === ONE_TIME) this.kinds.set(id, kind);
  }

  /** @returns {'one_time'|'long_term'} */
  kindOf(id) {
    return this.kinds.get(id) || ONE_TIME;
  }

  isLongTerm(id) {
    return this.kindOf(id) === LONG_TERM;
  }

  /** Whether a long-term accept of this id was recorded (and not forgotten since). */
  isAccepted(id) {
    return Object.prototype.hasOwnProperty.call(this.accepted, id);
  }

  /**
   * Records a long-term accept; false when it was already recorded (then nothing is to be
   * uploaded: the server holds the standing permission already).
   */
  recordAccept(id) {
    if (this.isAccepted(id)) return false;
    this.accepted[id] = this.now();
    this.persist();
    return true;
  }

  /** Forgets the given ids' recorded accepts (all when none given); returns how many went. */
  forget(ids) {
    const gone = (ids === undefined ? Object.keys(this.accepted) : [].concat(ids)).filter((id) => this.isAccepted(id));
    for (const id of gone) delete this.accepted[id];
    if (gone.length > 0) this.persist();
    return gone.length;
  }

  /** Forgets the accepts the user's setting now keeps as 'reject' or 'ban' (turned off in settings). */
  reconcile(setting) {
    if (!setting || !setting.itemSettings) return 0;
    const off = Object.keys(this.accepted).filter((id) => {
      const kept = setting.itemSettings[id];
      return kept === 'reject' || kept === 'ban';
    });
    return this.forget(off);
  }
}

module.exports = { LongTermTemplates, ONE_TIME, LONG_TERM };
