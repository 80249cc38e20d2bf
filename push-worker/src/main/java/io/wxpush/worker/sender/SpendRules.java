package io.wxpush.worker.sender;

import io.wxpush.policy.Policy;
import io.wxpush.policy.PolicyStore;
import io.wxpush.policy.QuietHolds;
import io.wxpush.push.PushTask;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;

/**
 * What an app's {@link Policy} asks of one task: whether quiet hours hold it back now (and the hold), and what its
 * claim may spend ({@link SendLedger.Spend}: the frequency cap, the day it counts in, the reserve).
 * A critical task ignores all three, but its messages count towards the day. Thread-safe.
 */
final class SpendRules {
  private final PolicyStore policies;
  private final QuietHolds quiet;
  private final Clock clock;

  SpendRules(PolicyStore policies, QuietHolds quiet, Clock clock) {
    this.policies = policies;
    this.quiet = quiet;
    this.clock = clock;
  }

  /**
   * When the app's quiet hours that hold the task back now end; empty when they do not (none now,
   * a critical task, or its notAfter has passed: that ends it now).
   */
  Optional<Instant> quietUntil(PushTask task) {
    if (task.critical() || (task.notAfter() != null && clock.millis() > task.notAfter())) return Optional.empty();
    return policies.get(task.appId()).quietUntil(clock.instant());
  }

  /** Writes the task's user into the push's held set, to be published again at {@code until}. */
  void hold(PushTask task, Instant until) {
    quiet.hold(task, until);
  }

  /** What the task's claim may spend under its app's policy. */
  SendLedger.Spend spend(PushTask task) {
    Policy p = policies.get(task.appId());
    boolean capped = p.maxPerUserPerDay() != null;
    return new SendLedger.Spend(capped && !task.critical() ? p.maxPerUserPerDay() : 0,
        capped ? p.dayEndEpochSecond(clock.instant()) : 0, p.reserveLast() && task.low());
  }
}
