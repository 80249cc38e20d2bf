'use strict';

/** The answers WeChat keeps for a template once the user ticked "always keep this choice". */
const KEPT_STATES = new Set(['accept', 'reject', 'ban']);

/**
 * SubscriptionSetting caches the user's subscription setting, read with
 * `wx.getSetting({withSubscriptions: true})`, so that a tap handler can read it synchronously:
 * wx.requestSubscribeMessage must be called within the tap's own call stack, so there is no
 * time to ask for the setting first. Refreshed when the app shows and after every harvest.
 */
class SubscriptionSetting {
  /**
   * @param {object} opts
   * @param {object} opts.wx
   * @param {(msg: string, fields?: object) => void} opts.log
   */
  constructor({ wx, log }) {
    this.wx = wx;
    this.log = log;
    this.current = null;
    this.seq = 0;
  }

  /**
   * The last setting read, or null while none has been read (or the base library cannot
   * tell: `withSubscriptions` needs 2.10.1).
   * @returns {{mainSwitch: boolean, itemSettings: Object<string, string>} | null}
   */
  get() {
    return this.current;
  }

  /**
   * Reads the setting again. Resolves (never rejects) once wx.getSetting answered, with the
   * setting then cached; a failed read keeps the previous one.
   * @returns {Promise<object|null>}
   */
  refresh() {
    if (typeof this.wx.getSetting !== 'function') return Promise.resolve(this.current);
    // Reads may overlap (an app show during a harvest): only the latest one's answer counts.
    const seq = ++this.seq;
    return new Promise((resolve) => {
      let settled = false;
      const done = (setting) => {
        if (settled) return;
        settled = true;
        if (setting && seq === this.seq) this.current = setting;
        resolve(this.current);
      };
      try {
        this.wx.getSetting({
          withSubscriptions: true,
          success: (res) => done(normalize(res && res.subscriptionsSetting)),
          fail: (err) => {
            this.log('wxpush: wx.getSetting failed', { error: String((err && err.errMsg) || err) });
            done(null);
          },
          complete: () => done(null),
        });
      } catch (err) {
        this.log('wxpush: wx.getSetting failed', { error: String((err && err.message) || err) });
        done(null);
      }
    });
  }
}

/**
 * The setting in the shape reported to the server, keeping only the three documented states.
 * Null when WeChat gave no subscriptionsSetting (base library too old).
 */
function normalize(raw) {
  if (!raw || typeof raw !== 'object') return null;
  const itemSettings = {};
  const items = raw.itemSettings && typeof raw.itemSettings === 'object' ? raw.itemSettings : {};
  for (const id of Object.keys(items)) {
    if (KEPT_STATES.has(items[id])) itemSettings[id] = items[id];
  }
  // WeChat omits itemSettings until the user kept a choice; a missing mainSwitch is read as on,
  // the default, so that a malformed answer never silences harvesting for good.
  return { mainSwitch: raw.mainSwitch !== false, itemSettings };
}

module.exports = { SubscriptionSetting, normalize };
