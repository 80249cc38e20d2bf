package io.wxpush.worker.sender;

import io.wxpush.worker.sender.SendLedger.Result;
import io.wxpush.worker.sender.SendLedger.Status;
import io.wxpush.push.Outcome;
import io.wxpush.push.PushId;
import io.wxpush.push.PushStatusStore;
import io.wxpush.push.PushTask;
import io.wxpush.redis.RedisKeys;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers one task — one message to one user — by performing, one after another, the actions
 * {@link SendPolicy} decides: at admission, then turn by turn ({@link Attempts}). Each action's
 * effect on the user's ledger entry is written first ({@link EntrySteps}), the outcome after it,
 * from the entry's final state. A task never outlives its delivery's deadline: when the next try
 * would not fit, it is handed back with its entry claimed. Thread-safe; blocking (run it on a
 * virtual thread).
 */
final class TaskRunner {
  private static final Logger log = LoggerFactory.getLogger(TaskRunner.class);

  /**
   * How a delivery ends for the broker: {@code DONE} acknowledges it (it has its outcome, or nothing
   * can be done with it); {@code HAND_BACK} delivers it again (its entry left claimed, or nothing claimed).
   */
  enum End { DONE, HAND_BACK }

  /** The reason of a send given up because its push was cancelled: its outcome is {@link Outcome#CANCELLED}. */
  static final String CANCELLED = "cancelled";

  /** Loop guard: turns one delivery takes at most before it hands the task back. */
  private static final int MAX_TURNS = 200;

  private final SenderParts p;

  TaskRunner(SenderParts parts) {
    this.p = parts;
  }

  /** Where a delivery goes after an action: on with the entry as it now stands (null: not read), or it ends. */
  private sealed interface Next {}

  private record GoOn(LedgerEntry entry) implements Next {}

  private record Ends(End end) implements Next {}

  /** Runs one delivery of {@code task}; safe to run again (with the same delivery) after it threw. */
  End run(PushTask stamped, Delivery delivery) throws InterruptedException {
    PushId push = PushId.of(stamped);
    // a version-1 task (from before the run stamp) takes its push's stamp from the status
    PushTask task = stamped.pushRun().isPresent() ? stamped
        : stamped.withRun(p.status().startRun(push, p.ledgerGrace(), RedisKeys.INDEX_SHARDS));
    Attempts tries = new Attempts(p, task, delivery);
    Optional<AppPause.Pause> pause = p.pauses().current(task.appId());
    Optional<Action> exit = p.policy().admit(new SendPolicy.Admission(tries.pastNotAfter(),
        p.stops().stop(push, System.nanoTime()).orElse(PushStatusStore.Stop.NONE), delivery.count(), delivery.timeLeft(),
        p.rules().quietUntil(task), pause.isPresent() && pause.get().kind().endsTask()));
    if (exit.isPresent()) return loop(task, delivery, tries, exit.get());
    // rate-limit pauses and the rate limit are waited for before anything is claimed
    boolean slot = p.pauses().waitOut(task.appId(), p.attemptBudget(), delivery.timeLeft())
        && p.rateLimiter().acquire(task.appId(), tries.giveUpNanos());
    PushGate.Admission gate = slot ? p.gate().enter(push, tries.giveUpNanos()) : new PushGate.TimedOut();
    exit = p.policy().admitted(slot, gate, delivery.count());
    if (exit.isPresent()) return loop(task, delivery, tries, exit.get());
    try {
      return loop(task, delivery, tries, null);
    } finally {
      p.gate().inconclusive(push); // no-op unless this task was the probe and left no verdict
    }
  }

  /** Performs {@code first} (null: none yet), then turn after turn, until the delivery ends. */
  private End loop(PushTask task, Delivery delivery, Attempts tries, Action first) throws InterruptedException {
    Run r = new Run(task, delivery, tries);
    Next next = first == null ? new GoOn(null) : r.perform(first, null);
    for (int turns = 0; turns < MAX_TURNS && next instanceof GoOn go; turns++) {
      Attempts.Turn turn = tries.next(go.entry());
      next = r.perform(turn.action(), turn.entry());
    }
    return next instanceof Ends e ? e.end() : End.HAND_BACK;
  }

  /** The actions of one delivery, performed. */
  private final class Run {
    private final PushTask task;
    private final Delivery delivery;
    private final Attempts tries;
    /** This delivery put the task in the DLQ. */
    private boolean deadLettered;

    Run(PushTask task, Delivery delivery, Attempts tries) {
      this.task = task;
      this.delivery = delivery;
      this.tries = tries;
    }

    Next perform(Action action, LedgerEntry entry) throws InterruptedException {
      if (action instanceof Action.Known && entry != null && entry.state().isFinal()) return new Ends(finish(entry));
      switch (action) {
        case Action.Wait w -> {
          Thread.sleep(Math.min(1_000, w.leaseLeft().toMillis() + 20));
          return new GoOn(entry);
        }
        case Action.FailPush f -> {
          p.status().failFast(PushId.of(task), f.reason()); // for the other processes; ours shut the gate on the answer
          if (f.templateGone()) templateGone();
        }
        case Action.Pause q -> p.pauses().pause(task.appId(), q.duration(), PauseKind.RATE_LIMIT);
        case Action.QuotaSpent q -> p.pauses().pause(task.appId(), q.duration(), PauseKind.DAILY_QUOTA);
        default -> { }
      }
      if (action instanceof Action.DeadLetter || action instanceof Action.QuotaSpent) deadLetter(action, entry);
      Result r = tries.durable(() -> tries.steps.apply(action, tries.holding));
      if (tries.holding) settled();
      return switch (action) {
        case Action.HandBack h -> new Ends(End.HAND_BACK);
        case Action.Hold h -> {
          // after the effect (an attempt held at the last look back to claimed): a crash before the hold redelivers the task
          p.rules().hold(task, h.until()); // the task waits in Redis (acknowledged, no broker delivery spent) until quiet hours end
          p.meters().heldBack();
          yield new Ends(End.DONE);
        }
        case Action.RetrySame s -> {
          if (s.refreshToken() && tries.callToken != null) refreshToken();
          tries.failures = Math.max(tries.failures, s.step());
          Thread.sleep(p.backoff().delay(s.step()).toMillis());
          yield new GoOn(r == null ? entry : r.entry());
        }
        case Action.Pause q -> {
          tries.quotaAnswers++;
          if (!p.pauses().waitOut(task.appId(), p.attemptBudget(), delivery.timeLeft())) {
            yield perform(p.policy().handBack(q.inDoubt(), delivery.count()), r == null ? entry : r.entry());
          }
          yield new GoOn(r == null ? entry : r.entry());
        }
        case Action.NextCredential n -> {
          if (r.status() == Status.CLAIMED) {
            tries.credentials++;
            r.entry().kind().ifPresent(p.meters()::claimed);
          }
          yield ended(r, entry);
        }
        default -> ended(r, entry);
      };
    }

    /** The DLQ record first (so a crash after it loses nothing), once per delivery; the entry's effect comes after. */
    private void deadLetter(Action action, LedgerEntry entry) {
      if (deadLettered) return;
      String reason = action instanceof Action.DeadLetter d ? d.reason() : PauseKind.DAILY_QUOTA.code();
      p.outcomes().deadLetterRecord(task, reason, entry == null ? 0 : entry.attempts());
      deadLettered = true;
    }

    /** The delivery ends when the entry is final; an entry another delivery's live attempt holds is waited for. */
    private Next ended(Result r, LedgerEntry before) throws InterruptedException {
      if (r == null) return new GoOn(before);
      if (r.entry() != null && r.entry().state().isFinal()) return new Ends(finish(r.entry()));
      if (r.status() != Status.FENCED) return new GoOn(r.entry());
      return perform(p.policy().fenced(delivery.timeLeft()), r.entry()); // another delivery's live attempt: its owner decides
    }

    private void settled() {
      tries.holding = false;
      delivery.callUnsettled(false);
    }

    /** Drops the token the last call used (if it is still the stored one), so the next try fetches another. */
    private void refreshToken() {
      p.tokens().invalidate(task.appId(), tries.callToken);
      tries.lastRefusedToken = tries.callToken;
    }

    private End finish(LedgerEntry entry) throws InterruptedException {
      Outcome outcome = EntrySteps.outcome(entry);
      // dead-lettered and surely not sent (its credential given back, or none claimed): POST …/retry may send it again
      if (deadLettered && outcome == Outcome.FAILED) p.outcomes().retryable(task);
      p.outcomes().record(task, outcome, entry.reason().orElse(null), outcome == Outcome.SENT ? tries.msgid : 0);
      return End.DONE;
    }

    /** WeChat answered 40037 for a subscribe template: the registry refuses it fleet-wide until a refresh lists it again. */
    private void templateGone() {
      try {
        p.templates().markGone(task.appId(), task.templateId());
        log.info("event=template_gone app={} template={}", task.appId(), task.templateId());
      } catch (RuntimeException e) { // Redis away: the next push of it meets 40037 again and marks it then
        log.warn("event=template_gone_unmarked app={} template={} error={}", task.appId(), task.templateId(), e.toString());
      }
    }
  }
}
