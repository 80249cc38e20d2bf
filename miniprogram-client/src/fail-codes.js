'use strict';

/**
 * The readable reason of each documented wx.requestSubscribeMessage fail code (WECHAT-API.md,
 * "Long-term subscriptions"), so that apps can branch on a name rather than a number.
 */
const SUBSCRIBE_FAIL_REASONS = Object.freeze({
  10001: 'empty_template_list',
  10002: 'network',
  10003: 'network',
  10004: 'bad_template_id_type',
  10005: 'no_popup',
  20001: 'no_template_data',
  20002: 'mixed_template_kinds',
  20003: 'too_many_templates',
  20004: 'main_switch_off',
  20005: 'app_banned',
});

/**
 * What a failed (or impossible) wx.requestSubscribeMessage call amounts to:
 * `{errCode, reason, errMsg}`. A documented code gets its name; an undocumented one 'failed';
 * no code at all keeps `errCode` null and takes `reasonWithoutCode` ('failed' by default).
 *
 * @param {any} err               the fail callback's argument, a thrown value, or a message
 * @param {string} [reasonWithoutCode='failed']
 * @returns {{errCode: number|null, reason: string, errMsg: string}}
 */
function describeFailure(err, reasonWithoutCode) {
  const errMsg = String((err && (err.errMsg || err.message)) || err || 'requestSubscribeMessage failed');
  const raw = err && typeof err === 'object' ? err.errCode : undefined;
  const errCode = raw === undefined || raw === null || raw === '' || !isFinite(Number(raw)) ? null : Number(raw);
  if (errCode === null) return { errCode, reason: reasonWithoutCode || 'failed', errMsg };
  return { errCode, reason: SUBSCRIBE_FAIL_REASONS[errCode] || 'failed', errMsg };
}

module.exports = { SUBSCRIBE_FAIL_REASONS, describeFailure };
