'use strict';

const { describeFailure } = require('./fail-codes');
const { ONE_TIME, LONG_TERM } = require('./long-term');

/** WeChat's limit of template ids per wx.requestSubscribeMessage call (⚠ newer docs say 5; 3 is safe). */
const MAX_PER_CALL = 3;

/**
 * Keys of itemSettings that are system message types (mini-games), not template ids: WeChat
 * refuses them in requestSubscribeMessage.
 */
const SYSTEM_TYPE = /^SYS_MSG_TYPE_/;

/**
 * Which templates of one kind one harvest asks for — a pure function of the cached setting,
 * so every rule is a unit test:
 * - setting unknown: the given ids (nothing was read yet, so nothing is known to be refused);
 * - main switch off: nothing (WeChat would refuse every one);
 * - otherwise the templates the user keeps as 'accept' (restricted to the given ids, when
 *   given; to those `include` admits, when not): asking them shows no popup and each accept
 *   is one more grant;
 * - none of those kept: the given ids minus those kept as 'reject'/'ban' (this shows the popup).
 * At most 3; when more are kept, `turn` rotates through them call after call.
 *
 * @param {{mainSwitch: boolean, itemSettings: Object<string, string>} | null} setting
 * @param {string[]} given  the page's template ids of this kind (may be empty)
 * @param {number} turn     how many kept templates earlier calls asked
 * @param {(id: string) => boolean} [include] which kept ids are of this kind (all, by default)
 * @returns {{ids: string[], kept: boolean}} kept: the ids are all kept 'accept' ones
 */
function chooseTemplates(setting, given, turn, include) {
  if (!setting) return { ids: given.slice(0, MAX_PER_CALL), kept: false };
  if (!setting.mainSwitch) return { ids: [], kept: false };
  const items = setting.itemSettings;
  const admit = include || (() => true);
  const accepted = Object.keys(items).filter((id) => items[id] === 'accept' && !SYSTEM_TYPE.test(id) && admit(id));
  const kept = given.length > 0 ? given.filter((id) => items[id] === 'accept') : accepted;
  if (kept.length > 0) {
    const start = turn % kept.length;
    const rotated = kept.slice(start).concat(kept.slice(0, start));
    return { ids: rotated.slice(0, MAX_PER_CALL), kept: true };
  }
  // Only 'reject' and 'ban' can be kept here: asking those again can only fail.
  return { ids: given.filter((id) => !(id in items)).slice(0, MAX_PER_CALL), kept: false };
}

/**
 * What one tap asks for: WeChat allows one call per tap and refuses a call mixing one-time
 * and long-term ids (20002), so the call holds one kind only, chosen by value:
 * - long-term templates not yet known accepted come first (one accept is a standing
 *   permission); long-term ones known accepted are never asked again;
 * - when both kinds have something to ask, the kinds alternate tap after tap (the kind the
 *   last call asked goes second), so a long-term popup the user keeps dismissing does not
 *   starve the one-time grants;
 * - within a kind, `chooseTemplates`' rules.
 * With ids given, only those are asked (each of its own kind); without, the kept accepts of
 * either kind.
 *
 * @param {object|null} setting the cached subscription setting
 * @param {string[]} given      the page's template ids, either kind (may be empty)
 * @param {{turns: {one_time: number, long_term: number}, lastKind: string|null}} state
 * @param {{isLongTerm: (id: string) => boolean, isAccepted: (id: string) => boolean}} kinds
 * @returns {{ids: string[], kept: boolean, kind: 'one_time'|'long_term'}}
 */
function chooseCall(setting, given, state, kinds) {
  const longTerm = (id) => kinds.isLongTerm(id) && !kinds.isAccepted(id);
  const oneTime = (id) => !kinds.isLongTerm(id);
  const of = (kind, include) => {
    const mine = given.filter(include);
    if (given.length > 0 && mine.length === 0) return { ids: [], kept: false, kind };
    return Object.assign(chooseTemplates(setting, mine, state.turns[kind], include), { kind });
  };
  const choices = [of(LONG_TERM, longTerm), of(ONE_TIME, oneTime)];
  if (state.lastKind === LONG_TERM) choices.reverse();
  return choices.find((c) => c.ids.length > 0) || { ids: [], kept: false, kind: ONE_TIME };
}

/**
 * Harvester asks for subscription grants from inside a tap handler and records every accept.
 * `harvest` calls wx.requestSubscribeMessage before it returns — WeChat refuses the call
 * ("can only be invoked by user TAP gesture") once the tap's synchronous stack has ended, so
 * nothing here may wait, not even for the setting, which is why it reads the cached one.
 * A failed call is reported (result field and `onError`), never thrown.
 */
class Harvester {
  /**
   * @param {object} opts
   * @param {object} opts.wx
   * @param {import('./subscriptions').SubscriptionSetting} opts.setting
   * @param {import('./long-term').LongTermTemplates} opts.longTerm
   * @param {(result: object) => number} opts.collect  stores the accepts of a result, returns how many
   * @param {(v: any) => boolean} opts.usable          whether a template id is worth asking for
   * @param {(failure: object) => void} [opts.onError] told of every failed or impossible call
   * @param {(msg: string, fields?: object) => void} opts.log
   */
  constructor({ wx, setting, longTerm, collect, usable, onError, log }) {
    this.wx = wx;
    this.setting = setting;
    this.longTerm = longTerm;
    this.collect = collect;
    this.usable = usable;
    this.onError = onError;
    this.log = log;
    this.state = { turns: { [ONE_TIME]: 0, [LONG_TERM]: 0 }, lastKind: null };
  }

  /**
   * @param {Array<string|{id: string, type?: string}>|string|{id: string, type?: string}} [tmplIds]
   * @returns {Promise<{asked: string[], granted: number, errMsg?: string, errCode?: number|null, reason?: string}>} never rejects
   */
  harvest(tmplIds) {
    let choice;
    try {
      const given = [];
      for (const item of [].concat(tmplIds === undefined || tmplIds === null ? [] : tmplIds)) {
        const id = item && typeof item === 'object' ? item.id : item;
        if (!this.usable(id)) continue;
        if (item && typeof item === 'object') this.longTerm.learn(id, item.type);
        if (!given.includes(id)) given.push(id);
      }
      const setting = this.setting.get();
      // A long-term template the user turned off in the settings page is no longer accepted.
      this.longTerm.reconcile(setting);
      choice = chooseCall(setting, given, this.state, this.longTerm);
    } catch (err) {
      this.log('wxpush: harvest failed', { error: String((err && err.message) || err) });
      return Promise.resolve(this.failed([], describeFailure(err)));
    }
    const asked = choice.ids;
    if (asked.length === 0) return Promise.resolve({ asked, granted: 0 });
    if (typeof this.wx.requestSubscribeMessage !== 'function') {
      return Promise.resolve(this.failed([], describeFailure('wx.requestSubscribeMessage is not available', 'not_available')));
    }
    if (choice.kept) this.state.turns[choice.kind] += asked.length;
    this.state.lastKind = choice.kind;

    // A Promise executor runs at once: requestSubscribeMessage is called within this call.
    return new Promise((resolve) => {
      let settled = false;
      const finish = (granted, failure) => {
        if (settled) return;
        settled = true;
        // The user may have ticked "always keep" in this popup: read the setting again.
        this.setting.refresh();
        resolve(failure === undefined ? { asked, granted } : this.failed(asked, failure));
      };
      try {
        this.wx.requestSubscribeMessage({
          tmplIds: asked,
          success: (res) => {
            let granted = 0;
            try {
              // Only what was asked counts, whatever else the answer may hold.
              const answers = {};
              for (const id of asked) if (res && res[id] !== undefined) answers[id] = res[id];
              granted = this.collect(answers);
            } catch (err) {
              this.log('wxpush: could not record subscribe result', { error: String((err && err.message) || err) });
            }
            finish(granted);
          },
          fail: (err) => finish(0, describeFailure(err)),
          complete: () => finish(0, describeFailure('requestSubscribeMessage ended without an answer', 'no_answer')),
        });
      } catch (err) {
        // Never into the tap handler: the page's own handling must still run.
        finish(0, describeFailure(err, 'threw'));
      }
    });
  }

  /** The result of a failed call, logged and handed to onError (whose own failure is only logged). */
  failed(asked, failure) {
    const result = { asked, granted: 0, errMsg: failure.errMsg, errCode: failure.errCode, reason: failure.reason };
    this.log('wxpush: requestSubscribeMessage failed', { error: failure.errMsg, errCode: failure.errCode, reason: failure.reason, tmplIds: asked });
    if (typeof this.onError === 'function') {
      try {
        this.onError({ source: 'harvest', errCode: failure.errCode, reason: failure.reason, errMsg: failure.errMsg, tmplIds: asked.slice() });
      } catch (err) {
        this.log('wxpush: onError threw', { error: String((err && err.message) || err) });
      }
    }
    return result;
  }
}

module.exports = { Harvester, chooseTemplates, chooseCall, MAX_PER_CALL };
