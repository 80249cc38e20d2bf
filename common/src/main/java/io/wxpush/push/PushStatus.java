package io.wxpush.push;

import java.util.Map;

/**
 * What {@code GET /v1/pushes/{requestId}} answers.
 *
 * @param state scheduled, accepted, fanning_out, sending, done, failed (the request itself could not be
 *     processed) or cancelled
 * @param cancelled targets not sent because the push was cancelled
 * @param pending targets without a final outcome yet
 * @param byReason failure or no-credential reason → users
 * @param reason why the push as a whole failed; null unless {@code failed}
 * @param appId the app it is for; null when not known
 * @param retryable failed users whose task went to the DLQ surely unsent: what {@code POST …/retry} would send again
 * @param resumesAt epoch ms when a push waiting out its app's quiet hours goes on; null unless it waits
 * @param request what was asked ({@link PushStatusStore#describe}): kind, template, data, audience (listed users as a count),
 *     priority, sendAt, notAfter; null for a push from before it was kept
 * @param timeline epoch ms of what has happened: {@code createdAt}, {@code startedAt} (the fan-out began),
 *     {@code fanoutDoneAt}, {@code cancelledAt}, {@code finishedAt}
 */
public record PushStatus(
    String requestId, String state, long targets, long sent, long noCredential, long failed, long unknown, long cancelled, long pending,
    Map<String, Long> byReason, String reason, String appId, long retryable, Long resumesAt, Map<String, Object> request,
    Map<String, Long> timeline) {

  public PushStatus(String requestId, String state, long targets, long sent, long noCredential, long failed, long unknown, long cancelled,
      long pending, Map<String, Long> byReason, String reason, String appId, long retryable, Long resumesAt) {
    this(requestId, state, targets, sent, noCredential, failed, unknown, cancelled, pending, byReason, reason, appId, retryable, resumesAt,
        null, Map.of());
  }

  public PushStatus(String requestId, String state, long targets, long sent, long noCredential, long failed, long unknown, long cancelled,
      long pending, Map<String, Long> byReason, String reason, String appId, long retryable) {
    this(requestId, state, targets, sent, noCredential, failed, unknown, cancelled, pending, byReason, reason, appId, retryable, null);
  }

  public PushStatus(String requestId, String state, long targets, long sent, long noCredential, long failed, long unknown, long pending,
      Map<String, Long> byReason) {
    this(requestId, state, targets, sent, noCredential, failed, unknown, 0, pending, byReason, null, null, 0);
  }

  /** No send of it will start any more, and none is in flight. */
  public boolean isFinal() {
    return PushState.isFinal(state);
  }
}
