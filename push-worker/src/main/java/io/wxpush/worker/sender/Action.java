package io.wxpush.worker.sender;

import java.time.Duration;

/**
 * What the sender does next with one (push, user), as {@link SendPolicy} decides it from the
 * ledger's state and WeChat's answer; {@link TaskRunner} performs it. Every action that ends the
 * task says which outcome it records.
 */
sealed interface Action {
  /** WeChat delivered: {@code sent} (reason null, or {@code 41029} when not proven by our own earlier attempt). */
  record Sent(String reason) implements Action {}

  /**
   * Try the same credential again after backoff step {@code step} (0 = at once).
   *
   * @param refreshToken the access token was refused: drop it and fetch another first
   * @param inDoubt the answer was lost: the entry stays in doubt for good
   */
  record RetrySame(int step, boolean refreshToken, boolean inDoubt) implements Action {}

  /** The credential is dead (41028), the send surely not delivered: drop it, claim the user's next. */
  record NextCredential(String reason) implements Action {}

  /** May have been delivered and must not be repeated: {@code unknown}. */
  record Unknown(String reason) implements Action {}

  /** Final for this user ({@code failed}): refused, invalid openId, or out of credentials to try. */
  record FailUser(String reason) implements Action {}

  /**
   * The push itself is wrong: fail it fast fleet-wide. This user is {@code failed} with the
   * credential given back, or {@code unknown} when an earlier attempt may have been delivered.
   */
  record FailPush(String reason, boolean inDoubt) implements Action {}

  /**
   * Pause the app fleet-wide for {@code duration}; a {@link PauseKind#RATE_LIMIT} pause is waited
   * out and the same credential tried again, a {@link PauseKind#DAILY_QUOTA} one ends the task in
   * the DLQ like {@link DeadLetter}.
   */
  record Pause(PauseKind kind, Duration duration, boolean inDoubt) implements Action {}

  /** Retries are used up: to the DLQ; {@code failed} with the credential given back, or {@code unknown} in doubt. */
  record DeadLetter(String reason, boolean inDoubt) implements Action {}

  /**
   * The next try would not finish before the broker's lock on the task runs out: leave the
   * entry claimed (in doubt if the last answer was lost) and let the broker hand the task out
   * again, where it goes on with the same credential.
   */
  record HandBack(boolean inDoubt) implements Action {}
}
