package io.wxpush.push;

import java.util.Map;

/**
 * What {@code GET /v1/pushes/{requestId}} answers.
 *
 * @param state accepted, fanning_out, sending, done, or failed (the request itself could not be processed)
 * @param pending targets without a final outcome yet
 * @param byReason failure or no-credential reason → users
 * @param reason why the push as a whole failed; null unless {@code failed}
 */
public record PushStatus(
    String requestId, String state, long targets, long sent, long noCredential, long failed, long unknown, long pending,
    Map<String, Long> byReason, String reason) {

  public PushStatus(String requestId, String state, long targets, long sent, long noCredential, long failed, long unknown, long pending,
      Map<String, Long> byReason) {
    this(requestId, state, targets, sent, noCredential, failed, unknown, pending, byReason, null);
  }
}
