package io.wxpush.worker.sender;

import io.wxpush.credentials.CredentialKind;
import io.wxpush.push.PushStatusStore;
import io.wxpush.worker.loop.Backoff;
import io.wxpush.wechat.WeChatReply;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.Optional;

/**
 * The one place a task's ending is decided, as pure functions (no I/O, no clock, no randomness):
 * from what is known of one (push, user) to the {@link Action} to take — at admission (notAfter,
 * a stopped push, the spare delivery, the lock budget, quiet hours, a daily-quota pause, the send
 * slot and the gate), from the ledger's answer to an attempt mark (busy, refused, expired, final),
 * at the last look before a call (notAfter, the stop marks, quiet hours), and from WeChat's answer, following the table in
 * docs/wechat-answers.md and RELIABILITY.md ("How a task ends"). It also decides which delivery is
 * the last: there a hand-back becomes the DLQ. The tables' rows are its unit tests.
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
  static final String NOT_AFTER = "not_after";
  static final String PUSH_EXPIRED = "push_expired";
  static final String CREDENTIALS_REFUSED = "credentials_refused";
  /** How long a delivery waits before it looks again at an entry another delivery's live attempt holds. */
  static final Duration FENCED_WAIT = Duration.ofSeconds(1);

  private final int maxAttempts;
  private final int maxDeliveries;
  private final Backoff backoff;
  private final Duration attemptBudget;

  /**
   * @param maxAttempts transient failures (−1, not connected, lost answers) before the DLQ ({@code SEND_MAX_ATTEMPTS})
   * @param backoff the waits between retries (only their ceilings are used here)
   * @param attemptBudget how long one try may take at most (the WeChat time-out plus the ledger steps)
   * @param maxDeliveries the delivery that gives up into the DLQ instead of handing back ({@code TASK_MAX_DELIVERIES});
   *     the broker allows one more, the spare, which only dead-letters what a crash left
   */
  SendPolicy(int maxAttempts, Backoff backoff, Duration attemptBudget, int maxDeliveries) {
    if (maxAttempts < 1) throw new IllegalArgumentException("maxAttempts must be >= 1");
    if (maxDeliveries < 1) throw new IllegalArgumentException("maxDeliveries must be >= 1");
    this.maxAttempts = maxAttempts;
    this.maxDeliveries = maxDeliveries;
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
   * @param delivery how often the broker has handed the task out, this time included (1 = first)
   */
  record State(CredentialKind kind, boolean inDoubt, int failures, int credentials, int quotaAnswers, boolean tokenRetried,
      Duration timeLeft, Instant now, int delivery) {}

  /**
   * What is known of a task when a delivery takes it, before anything is claimed or waited for.
   *
   * @param stop the push's stop marks (failed fast, cancelled)
   * @param quietUntil when the app's quiet hours end, if the task (not critical) meets them now
   * @param dailyQuotaPaused the app is paused until WeChat's day ends (45009)
   */
  record Admission(boolean pastNotAfter, PushStatusStore.Stop stop, int delivery, Duration timeLeft, Optional<Instant> quietUntil,
      boolean dailyQuotaPaused) {}

  /** How a delivery ends before it claims anything; empty: it goes on to wait for a send slot. */
  Optional<Action> admit(Admission a) {
    if (a.pastNotAfter()) return Optional.of(new Action.Stop(NOT_AFTER, false));
    Optional<Action> stopped = stopped(a.stop(), false);
    if (stopped.isPresent()) return stopped;
    // the spare delivery the broker allows after the last: a crash ended the last one
    if (spare(a.delivery())) return Optional.of(new Action.DeadLetter(redelivered(a.delivery()), false));
    if (!mayTry(a.timeLeft())) return Optional.of(handBack(false, a.delivery())); // it waited too long for a send slot
    if (a.quietUntil().isPresent()) return Optional.of(new Action.Hold(a.quietUntil().get()));
    if (a.dailyQuotaPaused()) return Optional.of(new Action.DeadLetter(PauseKind.DAILY_QUOTA.code(), false));
    return Optional.empty();
  }

  /** After waiting out a rate-limit pause and for a send permit ({@code slot}), and for the push's {@link PushGate}. */
  Optional<Action> admitted(boolean slot, PushGate.Admission gate, int delivery) {
    if (!slot) return Optional.of(handBack(false, delivery));
    return switch (gate) {
      case PushGate.Refused r -> Optional.of(new Action.Stop(r.reason(), false)); // the push was refused as a whole here
      case PushGate.TimedOut t -> Optional.of(handBack(false, delivery));
      case PushGate.Go g -> Optional.empty();
    };
  }

  /** Before each try: {@code notAfter}, the lock budget; {@code slot} false when no send permit came in time. */
  Optional<Action> beforeTry(boolean pastNotAfter, boolean slot, boolean inDoubt, Duration timeLeft, int delivery) {
    if (pastNotAfter) return Optional.of(new Action.Stop(NOT_AFTER, inDoubt));
    if (spare(delivery)) return Optional.of(new Action.DeadLetter(redelivered(delivery), inDoubt)); // the spare never sends
    if (!slot || !mayTry(timeLeft)) return Optional.of(handBack(inDoubt, delivery));
    return Optional.empty();
  }

  /** The ledger's answer to an attempt mark; empty: the mark is this delivery's, go on to the call. */
  Optional<Action> afterMark(SendLedger.Result mark, Duration timeLeft, int delivery) {
    return switch (mark.status()) {
      case ATTEMPTING -> Optional.empty();
      case EXPIRED -> Optional.of(new Action.Stop(PUSH_EXPIRED, false)); // no entry, past the horizon: nothing is begun any more
      case FINAL, NONE -> Optional.of(new Action.Known());
      case REFUSED -> Optional.of(new Action.Unknown("in_doubt")); // in doubt and not a form_id: never resent
      case BUSY -> Optional.of(mark.leaseLeft().plus(attemptBudget).compareTo(timeLeft) < 0 ? new Action.Wait(mark.leaseLeft())
          : handBack(false, delivery)); // another delivery's attempt is in flight: wait for it within this lock
      default -> Optional.of(handBack(false, delivery)); // not an answer of a claiming attempt
    };
  }

  /**
   * The last look before the call, with this delivery's attempt marked: {@code stop} is a read of
   * the push's stop marks fresh enough that a call started now precedes a cancel's answer (empty:
   * none came in time); {@code quietUntil} is when the app's quiet hours end if the task (not
   * critical) meets them now — a retry or a 45011 wait that ran into them holds the task as
   * admission does, its attempt back to claimed for the release.
   */
  Optional<Action> lastLook(boolean pastNotAfter, Optional<PushStatusStore.Stop> stop, Optional<Instant> quietUntil, boolean inDoubt,
      int delivery) {
    if (pastNotAfter) return Optional.of(new Action.Stop(NOT_AFTER, inDoubt));
    Optional<Action> stopped = stop.flatMap(s -> stopped(s, inDoubt));
    if (stopped.isPresent()) return stopped;
    if (quietUntil.isPresent()) return Optional.of(new Action.Hold(quietUntil.get())); // no send: an unsure stop read does not matter
    if (stop.isEmpty()) return Optional.of(handBack(inDoubt, delivery));
    return Optional.empty();
  }

  /**
   * An ending this delivery decided met an entry another delivery's live attempt holds (its
   * owner decides): wait a second and look again while a ledger step still fits after the wait,
   * else hand the task back — even on the last delivery, since the entry is not this delivery's to end.
   */
  Action fenced(Duration timeLeft) {
    return timeLeft.compareTo(FENCED_WAIT.multipliedBy(3)) >= 0 ? new Action.Wait(FENCED_WAIT) : new Action.HandBack(false);
  }

  /** True from the last delivery on: a hand-back there is the DLQ instead. */
  boolean last(int delivery) {
    return delivery >= maxDeliveries;
  }

  /** True for the spare delivery after the last, which the broker allows so that a crash in the last loses nothing. */
  boolean spare(int delivery) {
    return delivery > maxDeliveries;
  }

  /** The action for {@code reply} to a send of the credential described by {@code s}. */
  Action decide(State s, WeChatReply reply) {
    Action a = answer(s, reply);
    return a instanceof Action.HandBack h ? handBack(h.inDoubt(), s.delivery()) : a;
  }

  private Action answer(State s, WeChatReply reply) {
    return switch (reply.errorClass()) {
      case SENT -> new Action.Sent(null);
      case TOKEN -> s.tokenRetried() ? retryOrGiveUp(s, reply, s.inDoubt()) : fitOrHandBack(s, new Action.RetrySame(0, true, s.inDoubt()), 0);
      case CREDENTIAL -> credential(s, reply);
      case USER -> s.inDoubt() ? new Action.Unknown(reply.reason()) : new Action.FailUser(reply.reason()); // failed never in doubt
      case REQUEST -> new Action.FailPush(reply.reason(), s.inDoubt(), reply.errcode() == 40037 && s.kind() == CredentialKind.SUBSCRIPTION);
      case QUOTA -> quota(s, reply);
      case TRANSIENT -> retryOrGiveUp(s, reply, s.inDoubt());
      case IN_DOUBT -> s.kind() == CredentialKind.FORM_ID
          ? retryOrGiveUp(s, reply, true)
          : new Action.Unknown(reply.reason()); // a prepay_id or grant has no 41029 guard: never resent
    };
  }

  /** A hand-back, or on the last delivery the DLQ: the next try would not fit in this delivery's lock. */
  Action handBack(boolean inDoubt, int delivery) {
    return last(delivery) ? new Action.DeadLetter(redelivered(delivery), inDoubt) : new Action.HandBack(inDoubt);
  }

  private static Optional<Action> stopped(PushStatusStore.Stop stop, boolean inDoubt) {
    if (stop.failedFast().isPresent()) return Optional.of(new Action.Stop(stop.failedFast().get(), inDoubt));
    if (stop.cancelled()) return Optional.of(new Action.Stop(TaskRunner.CANCELLED, inDoubt));
    return Optional.empty();
  }

  /** The DLQ reason of a task given up on its {@code delivery}-th delivery. */
  static String redelivered(int delivery) {
    return "redelivered_" + delivery + "_times";
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
    if (s.credentials() >= MAX_CREDENTIALS_PER_USER) return new Action.FailUser(CREDENTIALS_REFUSED);
    return new Action.NextCredential(reply.reason());
  }

  private Action quota(State s, WeChatReply reply) {
    if (reply.errcode() == 45009) return new Action.QuotaSpent(untilNextBeijingMidnight(s.now()), s.inDoubt());
    int answers = s.quotaAnswers() + 1;
    if (answers > MAX_QUOTA_RETRIES) return new Action.DeadLetter(PauseKind.RATE_LIMIT.code(), s.inDoubt());
    Duration pause = Duration.ofMillis(Math.min(MAX_RATE_LIMIT_PAUSE.toMillis(), 500L << Math.min(answers, 4)));
    if (timeLeftAfter(s, pause).compareTo(attemptBudget) <= 0) return new Action.HandBack(s.inDoubt());
    return new Action.Pause(pause, s.inDoubt());
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
