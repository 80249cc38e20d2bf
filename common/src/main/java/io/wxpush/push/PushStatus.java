package io.wxpush.push;

import java.util.Map;

/**
 * What {@code GET /v1/pushes/{requestId}} answers.
 *
 * @param state accepted, fanning_out, sending or done
 * @param pending targets without a final outcome yet
 * @param byReason failure or no-credential reason → users
 */
public record PushStatus(
    String requestId, String state, long targets, long sent, long noCredential, long failed, long unknown, long pending,
    Map<String, Long> byReason) {}
