package io.wxpush.worker.sender;

import io.wxpush.worker.sender.SendLedger.Result;
import io.wxpush.worker.sender.SendLedger.Settle;
import io.wxpush.worker.sender.SendLedger.Status;
import io.wxpush.user.UserRef;
import io.wxpush.push.Outcome;
import io.wxpush.push.PushRun;
import java.time.Duration;

/**
 * Performs the one {@link Action.Effect} of an {@link Action} on one (push, user) ledger entry,
 * for one delivery: final ({@code sent}, {@code unknown}, {@code failed}), claimed (an attempt
 * this delivery holds goes back to claimed, in doubt if its answer was lost), or given back (the
 * credential back in its pool and the entry {@code failed}; {@code unknown} when an earlier
 * attempt may have been delivered — the ledger scripts refuse to give back or fail an entry in
 * doubt). An entry another delivery holds under a live lease is left alone ({@link Status#FENCED}):
 * its owner decides. Used by one thread at a time; every step blocks on Redis.
 */
final class EntrySteps {
  private final SendLedger ledger;
  private final UserRef user;
  private final PushRun run;
  private final String template;
  private final Delivery delivery;
  private final SendLedger.Spend spend;

  /** @param template the subscribe template whose grants the push spends; null for form_id/prepay_id */
  EntrySteps(SendLedger ledger, UserRef user, PushRun run, String template, Delivery delivery, SendLedger.Spend spend) {
    this.ledger = ledger;
    this.user = user;
    this.run = run;
    this.template = template;
    this.delivery = delivery;
    this.spend = spend;
  }

  /**
   * Performs {@code action}'s effect.
   *
   * @param holding this delivery holds the entry's attempt (marked, not yet settled)
   * @return the step's result; null when the effect needed no step (claimed, and not held)
   */
  Result apply(Action action, boolean holding) {
    return switch (action) {
      case Action.Sent s -> settle(Settle.SENT, s.reason());
      case Action.Unknown u -> settle(Settle.UNKNOWN, u.reason());
      case Action.FailUser f -> settle(Settle.FAILED, f.reason());
      case Action.Known k -> holding ? keep(true, false) : read(); // final already; an attempt held is never left in flight
      case Action.NextCredential n -> next(n.reason(), holding);
      case Action.RetrySame r -> keep(holding, r.inDoubt());
      case Action.Pause p -> keep(holding, p.inDoubt());
      case Action.HandBack h -> keep(holding, h.inDoubt());
      case Action.Hold h -> keep(holding, false);
      case Action.Wait w -> keep(holding, false);
      case Action.FailPush f -> giveBack(f.reason(), f.inDoubt(), holding);
      case Action.QuotaSpent q -> giveBack(PauseKind.DAILY_QUOTA.code(), q.inDoubt(), holding);
      case Action.DeadLetter d -> giveBack(d.reason(), d.inDoubt(), holding);
      case Action.Stop s -> giveBack(s.reason(), s.inDoubt(), holding);
    };
  }

  /** The outcome a final entry records: {@code failed} with reason {@code cancelled} is {@link Outcome#CANCELLED}. */
  static Outcome outcome(LedgerEntry entry) {
    return switch (entry.state()) {
      case SENT -> Outcome.SENT;
      case UNKNOWN -> Outcome.UNKNOWN;
      case NO_CREDENTIAL -> Outcome.NO_CREDENTIAL;
      default -> entry.reason().filter(TaskRunner.CANCELLED::equals).isPresent() ? Outcome.CANCELLED : Outcome.FAILED;
    };
  }

  /** The entry as it stands, in flight or final (status {@link Status#MISSING} with no entry). */
  Result read() {
    return ledger.read(user, run, template)
        .map(e -> new Result(e.state().isFinal() ? Status.FINAL : Status.OK, e, Duration.ZERO, false, false))
        .orElseGet(() -> new Result(Status.MISSING, null, Duration.ZERO, false, false));
  }

  private Result settle(Settle step, String reason) {
    return ledger.settle(user, run, template, delivery.owner(), step, reason, spend);
  }

  /** Back to claimed when this delivery holds the attempt ({@code doubt} when its answer was lost); else nothing to do. */
  private Result keep(boolean holding, boolean inDoubt) {
    if (!holding) return null;
    return settle(inDoubt ? Settle.DOUBT : Settle.RETRY, null);
  }

  /** The next credential; where the ledger refuses it (in doubt), an attempt this delivery holds still goes back to claimed. */
  private Result next(String reason, boolean holding) {
    Result r = ledger.next(user, run, template, delivery.owner(), reason);
    return r.status() == Status.FENCED && holding ? keep(true, r.entry().inDoubt()) : r;
  }

  /**
   * The credential back and the entry {@code failed}; with nothing claimed, a final entry without
   * credential; {@code unknown} when this delivery lost an answer ({@code inDoubt}), or an earlier
   * run of it made a call whose effect is not written ({@link Delivery#callUnsettled()} while not
   * {@code holding}), or the ledger finds the entry in doubt (or another owner's attempt whose
   * lease ran out).
   */
  private Result giveBack(String reason, boolean inDoubt, boolean holding) {
    if (inDoubt || (!holding && delivery.callUnsettled())) return settle(Settle.UNKNOWN, reason);
    Result r = ledger.release(user, run, template, delivery.owner(), reason);
    return switch (r.status()) {
      case MISSING -> settle(Settle.FAILED, reason);
      case FENCED -> settle(Settle.UNKNOWN, reason);
      default -> r;
    };
  }
}
