package io.wxpush.push;

/**
 * One user's final outcome of one push, as a sender records it ({@link PushStatusStore#recordOutcomes}).
 *
 * @param reason an errcode or short code; null when there is nothing to add
 * @param msgid WeChat's id of a sent message; 0 when none
 */
public record UserOutcome(String openId, Outcome outcome, String reason, long msgid) {}
