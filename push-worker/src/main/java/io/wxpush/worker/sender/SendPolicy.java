package io.wxpush.worker.sender;

import io.wxpush.credentials.CredentialKind;
import io.wxpush.worker.loop.Backoff;
import io.wxpush.wechat.WeChatReply;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;

/**
 * The sender's decisions as a pure function (no I/O, no clock, no randomness): from what is
 * known of one (push, user) and one WeChat answer to the {@link Action} to take, following the
 * table in docs/wechat-answers.md and the send ledger rules of RELIABILITY.md. The table's rows
 * are its unit tests.
 * Immutable and thread-safe.
 */
final class SendPolicy {
  /** Credentials tried for one user before giving up on 41028. */
  static final int MAX_CREDENTIALS_PER_USER = 5;
  /** 45011 answers one task takes before it goes to the DLQ. */
  static final int MAX_QUOTA_RETRIES = 6;
  /** Longest single 45011 pause. */
  static final Duration MAX_RATE_LIMIT_PAUSE = Duration.ofSeconds(4);
  private static final ZoneId WECHAT_DAY = ZoneId.of("Asia/Shanghai");

  private final int maxAttempts;
  private final Backoff backoff;
  private final Duration attemptBudget;

  /**
   * @param maxAttempts transient failures (−1, not connected, lost answers) before the DLQ ({@code SEND_MAX_ATTEMPTS})
   * @param backoff the waits between retries (only their ceilings are used here)
   * @param attemptBudget how long one try may take at most (the WeChat time-out plus the ledger steps)
   */
  SendPolicy(int maxAttempts, Backoff backoff, Duration attemptBudget) {
    if (maxAttempts < 1) throw new IllegalArgumentException("maxAttempts must be >= 1");
    this.maxAttempts = maxAttempts;
    this.backoff = backoff;
    this.attemptBudget = attemptBudget;
  }

  /**
   * What is known of one (push, user) when an answer arrives.
   *
   * @param kind the kind of the credential the answer is about
   * @param inDoubt an earlier attempt of this credential may have been delivered (from the ledger)
   * @param failures transient failures this task has had so far
   * @param credentials credentials this task has tried, this one included
   * @param quotaAnswers 45011 answers this task has had so far
   * @param tokenRetried the refused token has already been refreshed once
   * @param timeLeft until the broker's lock on the task runs out
   * @param now the current time (45009 pauses until Beijing midnight)
   */
  record State(CredentialKind kind, boolean inDoubt, int failures, int credentials, int quotaAnswers, boolean tokenRetried,
      Duration timeLeft, Instant now) {}

  /** The action for {@code reply} to a send of the credential described by {@code s}. */
  Action decide(State s, WeChatReply reply) {
    return switch (reply.errorClass()) {
      case SENT -> new Action.Sent(null);
      case TOKEN -> s.tokenRetried() ? retryOrGiveUp(s, reply, s.inDoubt()) : fitOrHandBack(s, new Action.RetrySame(0, true, s.inDoubt()), 0);
      case CREDENTIAL -> credential(s, reply);
      case USER -> new Action.FailUser(reply.reason());
      case REQUEST -> new Action.FailPush(reply.reason(), s.inDoubt());
      case QUOTA -> quota(s, reply);
      case TRANSIENT -> retryOrGiveUp(s, reply, s.inDoubt());
      case IN_DOUBT -> s.kind() == CredentialKind.FORM_ID
          ? retryOrGiveUp(s, reply, true)
          : new Action.Unknown(reply.reason()); // a prepay_id or grant has no 41029 guard: never resent
    };
  }

  /** True when a try started now can finish before the lock runs out. */
  boolean mayTry(Duration timeLeft) {
    return timeLeft.compareTo(attemptBudget) > 0;
  }

  private Action credential(State s, WeChatReply reply) {
    if (reply.errcode() == 41029) {
      // Only this push ever held this credential (the claim popped it): a 41029 means it was
      // used, and the only send wxpush made with it is this push's own (RELIABILITY.md, the send ledger).
      return new Action.Sent(s.inDoubt() ? null : "41029");
    }
    // 41028 after a lost answer: the form_id may have been delivered before it expired
    if (s.inDoubt()) return new Action.Unknown(reply.reason() + "_in_doubt");
    if (s.credentials() >= MAX_CREDENTIALS_PER_USER) return new Action.FailUser("credentials_refused");
    return new Action.NextCredential(reply.reason());
  }

  private Action quota(State s, WeChatReply reply) {
    if (reply.errcode() == 45009) return new Action.Pause(PauseKind.DAILY_QUOTA, untilNextBeijingMidnight(s.now()), s.inDoubt());
    int answers = s.quotaAnswers() + 1;
    if (answers > MAX_QUOTA_RETRIES) return new Action.DeadLetter(PauseKind.RATE_LIMIT.code(), s.inDoubt());
    Duration pause = Duration.ofMillis(Math.min(MAX_RATE_LIMIT_PAUSE.toMillis(), 500L << Math.min(answers, 4)));
    if (timeLeftAfter(s, pause).compareTo(attemptBudget) <= 0) return new Action.HandBack(s.inDoubt());
    return new Action.Pause(PauseKind.RATE_LIMIT, pause, s.inDoubt());
  }

  private Action retryOrGiveUp(State s, WeChatReply reply, boolean inDoubt) {
    int failures = s.failures() + 1;
    if (failures >= maxAttempts) return new Action.DeadLetter(reply.reason(), inDoubt);
    return fitOrHandBack(s, new Action.RetrySame(failures, false, inDoubt), failures);
  }

  /** The retry, or a hand-back when its longest backoff plus one try would outlive the lock. */
  private Action fitOrHandBack(State s, Action.RetrySame retry, int step) {
    if (timeLeftAfter(s, backoff.ceiling(step)).compareTo(attemptBudget) <= 0) return new Action.HandBack(retry.inDoubt());
    return retry;
  }

  private static Duration timeLeftAfter(State s, Duration wait) {
    return s.timeLeft().minus(wait);
  }

  static Duration untilNextBeijingMidnight(Instant now) {
    ZonedDateTime here = now.atZone(WECHAT_DAY);
    return Duration.between(here, here.toLocalDate().plusDays(1).atStartOfDay(WECHAT_DAY));
  }
}
