'use strict';

/** WeChat's limit of template ids per wx.requestSubscribeMessage call. */
const MAX_PER_CALL = 3;

/**
 * Keys of itemSettings that are system message types (mini-games), not template ids: WeChat
 * refuses them in requestSubscribeMessage.
 */
const SYSTEM_TYPE = /^SYS_MSG_TYPE_/;

/**
 * Which templates one harvest asks for — a pure function of the cached setting, so every rule
 * is a unit test:
 * - setting unknown: the given ids (nothing was read yet, so nothing is known to be refused);
 * - main switch off: nothing (WeChat would refuse every one);
 * - otherwise the templates the user keeps as 'accept' (restricted to the given ids, when
 *   given): asking them shows no popup and each accept is one more grant;
 * - none of those kept: the given ids minus those kept as 'reject'/'ban' (this shows the popup).
 * At most 3; when more are kept, `turn` rotates through them call after call.
 *
 * @param {{mainSwitch: boolean, itemSettings: Object<string, string>} | null} setting
 * @param {string[]} given  the page's template ids (may be empty)
 * @param {number} turn     how many kept templates earlier calls asked
 * @returns {{ids: string[], kept: boolean}} kept: the ids are all kept 'accept' ones
 */
function chooseTemplates(setting, given, turn) {
  if (!setting) return { ids: given.slice(0, MAX_PER_CALL), kept: false };
  if (!setting.mainSwitch) return { ids: [], kept: false };
  const items = setting.itemSettings;
  const accepted = Object.keys(items).filter((id) => items[id] === 'accept' && !SYSTEM_TYPE.test(id));
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
 * Harvester asks for subscription grants from inside a tap handler and records every accept.
 * `harvest` calls wx.requestSubscribeMessage before it returns — WeChat refuses the call
 * ("can only be invoked by user TAP gesture") once the tap's synchronous stack has ended, so
 * nothing here may wait, not even for the setting, which is why it reads the cached one.
 */
class Harvester {
  /**
   * @param {object} opts
   * @param {object} opts.wx
   * @param {import('./subscriptions').SubscriptionSetting} opts.setting
   * @param {(result: object) => number} opts.collect  stores the accepts of a result, returns how many
   * @param {(v: any) => boolean} opts.usable          whether a template id is worth asking for
   * @param {(msg: string, fields?: object) => void} opts.log
   */
  constructor({ wx, setting, collect, usable, log }) {
    this.wx = wx;
    this.setting = setting;
    this.collect = collect;
    this.usable = usable;
    this.log = log;
    this.turn = 0;
  }

  /**
   * @param {string[]|string} [tmplIds]
   * @returns {Promise<{asked: string[], granted: number, errMsg?: string}>} never rejects
   */
  harvest(tmplIds) {
    let choice;
    try {
      const given = [].concat(tmplIds === undefined || tmplIds === null ? [] : tmplIds).filter(this.usable);
      choice = chooseTemplates(this.setting.get(), Array.from(new Set(given)), this.turn);
    } catch (err) {
      this.log('wxpush: harvest failed', { error: String((err && err.message) || err) });
      return Promise.resolve({ asked: [], granted: 0, errMsg: String((err && err.message) || err) });
    }
    const asked = choice.ids;
    if (asked.length === 0) return Promise.resolve({ asked, granted: 0 });
    if (typeof this.wx.requestSubscribeMessage !== 'function') {
      return Promise.resolve({ asked: [], granted: 0, errMsg: 'wx.requestSubscribeMessage is not available' });
    }
    if (choice.kept) this.turn += asked.length;

    // A Promise executor runs at once: requestSubscribeMessage is called within this call.
    return new Promise((resolve) => {
      let settled = false;
      const finish = (granted, errMsg) => {
        if (settled) return;
        settled = true;
        // The user may have ticked "always keep" in this popup: read the setting again.
        this.setting.refresh();
        resolve(errMsg === undefined ? { asked, granted } : { asked, granted, errMsg });
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
          fail: (err) => {
            const errMsg = String((err && err.errMsg) || err || 'requestSubscribeMessage failed');
            this.log('wxpush: requestSubscribeMessage failed', { error: errMsg, errCode: err && err.errCode, tmplIds: asked });
            finish(0, errMsg);
          },
          complete: () => finish(0, 'requestSubscribeMessage ended without an answer'),
        });
      } catch (err) {
        // Never into the tap handler: the page's own handling must still run.
        finish(0, String((err && err.message) || err));
      }
    });
  }
}

module.exports = { Harvester, chooseTemplates, MAX_PER_CALL };
