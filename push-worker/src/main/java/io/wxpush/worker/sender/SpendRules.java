package io.wxpush.worker.sender;

import io.wxpush.credentials.SendLedger;
import io.wxpush.policy.Policy;
import io.wxpush.policy.PolicyStore;
import io.wxpush.policy.QuietHolds;
import io.wxpush.push.PushTask;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;

/**
 * What an app's {@link Policy} asks of one task: whether quiet hours hold it back now, and what its
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
   * Holds the task back when its app is inside quiet hours (and it is not critical, and its notAfter
   * has not passed: that ends it now): its user waits in the push's held set, to be published again
   * when the window ends. True when held: the delivery is done with it.
   */
  boolean holdsBack(PushTask task) {
    if (task.critical() || (task.notAfter() != null && clock.millis() > task.notAfter())) return false;
    Optional<Instant> until = policies.get(task.appId()).quietUntil(clock.instant());
    if (until.isEmpty()) return false;
    quiet.hold(task, until.get());
    return true;
  }

  /** What the task's claim may spend under its app's policy. */
  SendLedger.Spend spend(PushTask task) {
    Policy p = policies.get(task.appId());
    boolean capped = p.maxPerUserPerDay() != null;
    return new SendLedger.Spend(capped && !task.critical() ? p.maxPerUserPerDay() : 0,
        capped ? p.dayEndEpochSecond(clock.instant()) : 0, p.reserveLast() && task.low());
  }
}
