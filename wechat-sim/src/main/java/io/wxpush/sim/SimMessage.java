package io.wxpush.sim;

import java.time.Instant;
import java.util.Map;

/**
 * One message a simulated user received.
 *
 * @param kind {@code template} or {@code subscribe}
 * @param page the page the message opens, {@code ""} when none was given
 * @param data keyword → value, in the order sent
 * @param credential the form_id or prepay_id spent, {@code null} for a subscribe message
 * @param at when the sim delivered it, on the sim's clock
 * @param msgid the id the send's answer carried (a {@code subscribe_msg_sent_event} names it)
 */
public record SimMessage(
    String appId,
    String openId,
    String templateId,
    String kind,
    String page,
    Map<String, String> data,
    String credential,
    Instant at,
    long msgid) {}
