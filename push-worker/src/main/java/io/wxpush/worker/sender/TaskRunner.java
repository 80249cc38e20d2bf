package io.wxpush.worker.sender;

import io.wxpush.credentials.CredentialKind;
import io.wxpush.credentials.LedgerEntry;
import io.wxpush.credentials.SendLedger;
import io.wxpush.credentials.SendLedger.Result;
import io.wxpush.credentials.SendLedger.Settle;
import io.wxpush.credentials.SendLedger.Status;
import io.wxpush.credentials.UserRef;
import io.wxpush.push.Outcome;
import io.wxpush.push.PushRun;
import io.wxpush.push.PushStatusStore;
import io.wxpush.push.PushTask;
import io.wxpush.token.TokenManager;
import io.wxpush.wechat.WeChatClient;
import io.wxpush.wechat.WeChatException;
import io.wxpush.wechat.WeChatReply;
import io.wxpush.worker.loop.Backoff;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Delivers one task — one message to one user — by performing what {@link SendPolicy} decides:
 * it claims the user's credential in the {@link SendLedger}, marks every attempt there before
 * calling WeChat, writes each answer's effect to the ledger first and the outcome after. A task
 * never outlives its delivery's deadline: when the next try would not fit, it is handed back
 * with its entry claimed, and the next delivery goes on from there. Thread-safe; blocking (run it
 * on a virtual thread).
 */
final class TaskRunner {
  /** How a delivery ends for the broker. */
  enum End {
    /** The task has its outcome (or nothing can be done with it): acknowledge. */
    DONE,
    /** Deliver it again (the entry is left claimed, or nothing was claimed). */
    HAND_BACK
  }

  /** The reason of a send given up because its push was cancelled: its outcome is {@link Outcome#CANCELLED}. */
  static final String CANCELLED = "cancelled";

  /** Loop guard: ledger steps one delivery takes at most before it hands the task back. */
  private static final int MAX_STEPS = 200;
  private static final Backoff REDIS_BACKOFF = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(2));

  private final SendLedger ledger;
  private final PushStatusStore status;
  private final TokenManager tokens;
  private final WeChatClient weChat;
  private final AppPause pauses;
  private final SendRateLimiter rateLimiter;
  private final Outcomes outcomes;
  private final SenderMeters meters;
  private final SendPolicy policy;
  private final Backoff backoff;
  private final Duration lease;
  private final Duration attemptBudget;
  private final Duration ledgerGrace;
  private final Clock clock;
  private final io.wxpush.templates.TemplateRegistry templates;
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(TaskRunner.class);
  private final PushGate gate = new PushGate();
  private final SpendRules rules;
  private final StopCache stops;

  /**
   * @param lease how long an attempt holds its ledger entry: longer than {@code attemptBudget}
   * @param attemptBudget how long one try may take at most (the WeChat time-out plus the ledger steps)
   * @param ledgerGrace {@code LEDGER_GRACE}, for a version-1 task's run stamp
   */
  TaskRunner(SendLedger ledger, PushStatusStore status, TokenManager tokens, WeChatClient weChat, AppPause pauses,
      SendRateLimiter rateLimiter, Outcomes outcomes, SenderMeters meters, SendPolicy policy, Backoff backoff, Duration lease,
      Duration attemptBudget, Duration ledgerGrace, Clock clock, io.wxpush.templates.TemplateRegistry templates, SpendRules rules) {
    this.templates = templates;
    this.rules = rules;
    if (lease.compareTo(attemptBudget) <= 0) throw new IllegalArgumentException("the lease must outlast one attempt");
    this.ledger = ledger;
    this.status = status;
    this.tokens = tokens;
    this.weChat = weChat;
    this.pauses = pauses;
    this.rateLimiter = rateLimiter;
    this.outcomes = outcomes;
    this.meters = meters;
    this.policy = policy;
    this.backoff = backoff;
    this.lease = lease;
    this.attemptBudget = attemptBudget;
    this.ledgerGrace = ledgerGrace;
    this.clock = clock;
    this.stops = new StopCache(status, clock);
  }

  /** Runs one delivery of {@code task}; safe to run again (with the same delivery) after it threw. */
  End run(PushTask stamped, Delivery delivery) throws InterruptedException {
    String rid = stamped.requestId();
    // a version-1 task (from before the run stamp) takes its push's stamp from the status
    PushTask task = stamped.pushRun().isPresent() ? stamped
        : stamped.withRun(status.startRun(rid, stamped.appId(), ledgerGrace, io.wxpush.redis.RedisKeys.INDEX_SHARDS));
    // (A redelivered task whose user is done finds the final entry at its first ledger step.)
    if (pastNotAfter(task)) return new Send(task, delivery).endWithoutTrying("not_after", false);
    PushStatusStore.Stop stop = stops.stop(rid);
    if (stop.failedFast().isPresent()) {
      outcomes.record(task, Outcome.FAILED, stop.failedFast().get());
      return End.DONE;
    }
    if (stop.cancelled()) return new Send(task, delivery).endWithoutTrying(CANCELLED, false); // gives back what an earlier delivery claimed
    if (!policy.mayTry(delivery.timeLeft())) return handBackUnclaimed(task, delivery); // it waited too long for a send slot
    // quiet hours: the task waits in Redis (acknowledged, no broker delivery spent) until they end
    if (rules.holdsBack(task)) {
      meters.heldBack();
      return End.DONE;
    }
    Send send = new Send(task, delivery);
    Optional<AppPause.Pause> pause = pauses.current(task.appId());
    if (pause.isPresent() && pause.get().kind().endsTask()) return send.endWithoutTrying(pause.get().kind().code(), true);
    // Rate-limit pauses and the rate limit are waited for before anything is claimed.
    if (!pauses.waitOut(task.appId(), attemptBudget, delivery.timeLeft()) || !rateLimiter.acquire(task.appId(), delivery.deadlineNanos() - attemptBudget.toNanos())) {
      return handBackUnclaimed(task, delivery);
    }
    switch (gate.enter(rid, delivery.deadlineNanos() - attemptBudget.toNanos())) {
      case PushGate.Refused r -> {
        outcomes.record(task, Outcome.FAILED, r.reason());
        return End.DONE;
      }
      case PushGate.TimedOut t -> {
        return handBackUnclaimed(task, delivery);
      }
      case PushGate.Go g -> { }
    }
    try {
      return send.run();
    } finally {
      gate.inconclusive(rid); // no-op unless this task was the probe and left no verdict
    }
  }

  /** Nothing was claimed for the task in this delivery: hand it back, or on the last delivery give up into the DLQ. */
  private End handBackUnclaimed(PushTask task, Delivery delivery) {
    if (!delivery.last()) return End.HAND_BACK;
    return new Send(task, delivery).endWithoutTrying(delivery.redeliveredReason(), true);
  }

  /** Where a delivery goes after an action: on with the entry as it now stands, or it ends. */
  private sealed interface Next {}

  /** Go on with {@code entry} (null: there is none, claim again). */
  private record GoOn(LedgerEntry entry) implements Next {}

  private record Ends(End end) implements Next {}

  /** The send of one delivery, with the counters its decisions need. */
  private final class Send {
    private final PushTask task;
    private final Delivery delivery;
    private final UserRef user;
    private final PushRun run;
    private final String template;
    private String lastRefusedToken;
    private int failures;
    private int quotaAnswers;
    private int credentials = 1;
    /** This delivery holds the entry's attempt (marked, not yet settled). */
    private boolean holding;
    /** This delivery put the task in the DLQ. */
    private boolean deadLettered;
    /** A rate-limit permit is in hand for the next call (the first was taken before the claim). */
    private boolean permit = true;
    /** WeChat's msgid of the delivered message, 0 when none (a template message, or not sent). */
    private long msgid;
    /** What the app's policy lets this task's claim spend, and the day its message counts in. */
    private final SendLedger.Spend spend;

    Send(PushTask task, Delivery delivery) {
      this.task = task;
      this.delivery = delivery;
      this.user = new UserRef(task.appId(), task.openId());
      this.run = task.pushRun().orElseThrow();
      this.template = task.subscribe() ? task.templateId() : null;
      this.spend = rules.spend(task);
    }

    End run() throws InterruptedException {
      LedgerEntry entry = null; // not read yet: the first attempt mark claims a credential if the push has none
      for (int steps = 0; steps < MAX_STEPS; steps++) {
        Next next = step(entry);
        if (next instanceof Ends e) return e.end();
        entry = ((GoOn) next).entry();
      }
      return handBack(entry, entry != null && entry.inDoubt());
    }

    /**
     * Ends the task without a (further) send — {@code notAfter} passed, a daily-quota pause, the
     * last delivery with no time left — giving back what an earlier delivery claimed for this
     * user, if anything; into the DLQ too when {@code deadLetter}.
     */
    End endWithoutTrying(String reason, boolean deadLetter) {
      Optional<LedgerEntry> found = ledger.read(user, run, template);
      if (found.isEmpty()) { // nothing claimed: the final entry records that nothing will be
        if (deadLetter) {
          outcomes.deadLetterRecord(task, reason, 0);
          deadLettered = true;
        }
        Result failed = durable(() -> ledger.settle(user, run, template, delivery.owner(), Settle.FAILED, reason, spend));
        return failed.entry().state().isFinal() ? finish(failed.entry()) : End.HAND_BACK;
      }
      LedgerEntry entry = found.get();
      if (entry.state().isFinal()) return finish(entry);
      if (heldByAnother(entry)) return delivery.last() ? End.DONE : End.HAND_BACK; // its owner will finish it
      boolean inDoubt = entry.inDoubt() || entry.state() == LedgerEntry.State.ATTEMPTING;
      Next next = deadLetter ? deadLetter(entry, reason, inDoubt) : giveBack(entry, reason, inDoubt);
      return next instanceof Ends e ? e.end() : End.HAND_BACK;
    }

    /** Another delivery's attempt is marked on the entry (its lease may have run out: only the attempt script can tell). */
    private boolean heldByAnother(LedgerEntry entry) {
      return entry.owner().filter(o -> !o.equals(delivery.owner())).isPresent();
    }

    /** One turn of the loop: decide from the entry as it stands (null: not read yet), attempt a send if it may. */
    private Next step(LedgerEntry entry) throws InterruptedException {
      if (entry != null && entry.state().isFinal()) return new Ends(finish(entry));
      if (entry != null && !heldByAnother(entry) && pastNotAfter(task)) return giveBack(entry, "not_after", entry.inDoubt());
      boolean inDoubt = entry != null && entry.inDoubt();
      if (!policy.mayTry(delivery.timeLeft())) return new Ends(handBack(entry, inDoubt));
      if (!permit) {
        if (!rateLimiter.acquire(task.appId(), delivery.deadlineNanos() - attemptBudget.toNanos())) return new Ends(handBack(entry, inDoubt));
        permit = true;
      }
      String token;
      try {
        token = tokens.token(task.appId());
      } catch (WeChatException e) {
        return perform(decide(entry, WeChatReply.transport(WeChatReply.NOT_SENT, false), null), entry, null);
      }
      Result mark = durable(() -> ledger.attempt(user, run, template, delivery.owner(), lease, !delivery.callUnsettled(), spend));
      if (mark.claimedNow()) mark.entry().kind().ifPresent(meters::claimed);
      switch (mark.status()) {
        case EXPIRED -> { // no entry, and the push's horizon has passed: nothing is begun any more
          outcomes.record(task, Outcome.FAILED, "push_expired");
          return new Ends(End.DONE);
        }
        case FINAL, NONE, MISSING -> { // MISSING cannot come back from a claiming attempt
          return mark.entry() == null ? new GoOn(null) : new Ends(finish(mark.entry()));
        }
        case REFUSED -> { // in doubt and not a form_id: never resent
          return ended(durable(() -> ledger.settle(user, run, template, delivery.owner(), Settle.UNKNOWN, "in_doubt", spend)));
        }
        case BUSY -> { // another delivery's attempt is in flight: wait for it, within this delivery's own lock
          if (mark.leaseLeft().plus(attemptBudget).compareTo(delivery.timeLeft()) >= 0) return new Ends(handBack(mark.entry(), false));
          Thread.sleep(Math.min(1_000, mark.leaseLeft().toMillis() + 20));
          return new GoOn(mark.entry());
        }
        default -> { }
      }
      holding = true;
      // taken over from another delivery: it may have run into notAfter meanwhile
      if (pastNotAfter(task)) return giveBack(mark.entry(), "not_after", mark.entry().inDoubt());
      // the last look before the call: a push cancelled (or failed) by now starts no send
      PushStatusStore.Stop stop = stops.stop(task.requestId());
      if (stop.stopped()) return giveBack(mark.entry(), stop.cancelled() ? CANCELLED : stop.failedFast().get(), mark.entry().inDoubt());
      WeChatReply reply = call(mark.entry(), token);
      return perform(decide(mark.entry(), reply, token), mark.entry(), token);
    }

    private WeChatReply call(LedgerEntry entry, String token) {
      delivery.callUnsettled(true);
      permit = false;
      long started = System.nanoTime();
      String value = entry.credential().orElseThrow().value();
      WeChatReply reply = weChat.send(MessageBodies.path(task), token, MessageBodies.body(task, value));
      meters.send(reply.errorClass(), task.subscribe() ? "subscribe" : "template", Duration.ofNanos(System.nanoTime() - started));
      if (reply.ok() && reply.msgid() != 0) msgid = reply.msgid();
      switch (reply.errorClass()) {
        case SENT, CREDENTIAL, USER -> gate.open(task.requestId()); // WeChat accepted the request's form
        case REQUEST -> gate.shut(task.requestId(), reply.reason());
        default -> gate.inconclusive(task.requestId()); // let another task probe while this one retries
      }
      return reply;
    }

    private Action decide(LedgerEntry entry, WeChatReply reply, String token) {
      boolean tokenRetried = token != null && token.equals(lastRefusedToken);
      // before the first mark (no entry read yet) nothing is claimed: the kind is the task's
      CredentialKind kind = entry == null ? (task.subscribe() ? CredentialKind.SUBSCRIPTION : CredentialKind.FORM_ID) : entry.kind().orElseThrow();
      boolean inDoubt = entry != null && entry.inDoubt();
      return policy.decide(new SendPolicy.State(kind, inDoubt, failures, credentials, quotaAnswers, tokenRetried, delivery.timeLeft(),
          clock.instant()), reply);
    }

    /** Performs {@code action} after an answer (or a failed token fetch) for {@code entry}. */
    private Next perform(Action action, LedgerEntry entry, String token) throws InterruptedException {
      return switch (action) {
        case Action.Sent s -> ended(settle(Settle.SENT, s.reason()));
        case Action.RetrySame r -> {
          LedgerEntry now = settleAttempt(entry, r.inDoubt());
          if (r.refreshToken() && token != null) {
            tokens.invalidate(task.appId(), token);
            lastRefusedToken = token;
          }
          failures = Math.max(failures, r.step());
          Thread.sleep(backoff.delay(r.step()).toMillis());
          yield new GoOn(now);
        }
        case Action.NextCredential n -> {
          Result next = durable(() -> ledger.next(user, run, template, delivery.owner(), n.reason()));
          settled();
          if (next.status() == Status.CLAIMED) {
            credentials++;
            next.entry().kind().ifPresent(meters::claimed);
          }
          yield ended(next);
        }
        case Action.Unknown u -> ended(settle(Settle.UNKNOWN, u.reason()));
        case Action.FailUser f -> ended(settle(Settle.FAILED, f.reason()));
        case Action.FailPush f -> {
          status.failFast(task.requestId(), f.reason()); // for the other processes; ours shut the gate on the answer
          if (task.subscribe() && "40037".equals(f.reason())) templateGone(task.appId(), task.templateId());
          yield f.inDoubt() ? ended(settle(Settle.UNKNOWN, f.reason())) : ended(release(f.reason()));
        }
        case Action.Pause p -> {
          pauses.pause(task.appId(), p.duration(), p.kind());
          if (p.kind().endsTask()) yield deadLetter(entry, p.kind().code(), p.inDoubt());
          LedgerEntry now = settleAttempt(entry, p.inDoubt());
          quotaAnswers++;
          if (!pauses.waitOut(task.appId(), attemptBudget, delivery.timeLeft())) yield new Ends(handBack(now, p.inDoubt()));
          yield new GoOn(now);
        }
        case Action.DeadLetter d -> deadLetter(entry, d.reason(), d.inDoubt());
        case Action.HandBack h -> new Ends(handBack(entry, h.inDoubt()));
      };
    }

    /** The delivery ends when a step left the entry final; a fenced step goes on with the entry as found. */
    private Next ended(Result r) {
      if (r.entry() != null && r.entry().state().isFinal()) return new Ends(finish(r.entry()));
      return new GoOn(r.entry());
    }

    private Result settle(Settle step, String reason) {
      Result r = durable(() -> ledger.settle(user, run, template, delivery.owner(), step, reason, spend));
      settled();
      return r;
    }

    /** Back to claimed after an answer that did not end the send (in doubt for good when {@code inDoubt}). */
    private LedgerEntry settleAttempt(LedgerEntry entry, boolean inDoubt) {
      if (!holding) return entry;
      return settle(inDoubt ? Settle.DOUBT : Settle.RETRY, null).entry();
    }

    private Result release(String reason) {
      Result r = durable(() -> ledger.release(user, run, template, delivery.owner(), reason));
      settled();
      return r;
    }

    private void settled() {
      holding = false;
      delivery.callUnsettled(false);
    }

    /** Ends without (another) send: the credential back, or unknown when an earlier attempt may have been delivered. */
    private Next giveBack(LedgerEntry entry, String reason, boolean inDoubt) {
      if (entry == null) return ended(settle(Settle.FAILED, reason)); // nothing claimed yet: a final entry without credential
      return ended(inDoubt || entry.inDoubt() ? settle(Settle.UNKNOWN, reason) : release(reason));
    }

    /** Retries are used up: the DLQ record first, then the entry (given back, or unknown in doubt), then the outcome. */
    private Next deadLetter(LedgerEntry entry, String reason, boolean inDoubt) {
      if (entry != null && heldByAnother(entry)) return new GoOn(entry); // its owner decides; this delivery waits for it
      outcomes.deadLetterRecord(task, reason, entry == null ? 0 : entry.attempts());
      deadLettered = true;
      return giveBack(entry, reason, inDoubt);
    }

    /**
     * Leaves the entry claimed for the next delivery. On the last delivery the broker allows, it
     * gives up into the DLQ instead; an entry another delivery holds under a live lease is left
     * to that delivery, which records its outcome.
     */
    private End handBack(LedgerEntry entry, boolean inDoubt) {
      LedgerEntry now = settleAttempt(entry, inDoubt);
      if (!delivery.last()) return End.HAND_BACK;
      if (now == null) return endWithoutTrying(delivery.redeliveredReason(), true);
      if (now.state().isFinal()) return finish(now);
      if (heldByAnother(now)) return End.DONE; // its owner records the outcome
      Next next = deadLetter(now, delivery.redeliveredReason(), inDoubt || now.inDoubt());
      return next instanceof Ends e ? e.end() : End.DONE;
    }

    private End finish(LedgerEntry entry) {
      Outcome outcome = switch (entry.state()) {
        case SENT -> Outcome.SENT;
        case UNKNOWN -> Outcome.UNKNOWN;
        case NO_CREDENTIAL -> Outcome.NO_CREDENTIAL;
        default -> entry.reason().filter(CANCELLED::equals).isPresent() ? Outcome.CANCELLED : Outcome.FAILED;
      };
      // dead-lettered and surely not sent (its credential given back, or none claimed): POST …/retry may send it again
      if (deadLettered && outcome == Outcome.FAILED) outcomes.retryable(task);
      outcomes.record(task, outcome, entry.reason().orElse(null), outcome == Outcome.SENT ? msgid : 0);
      return End.DONE;
    }

    /** A ledger step, retried through a Redis outage until the delivery's deadline (each step is idempotent or fenced). */
    private Result durable(Supplier<Result> step) {
      for (int attempt = 1; ; attempt++) {
        try {
          return step.get();
        } catch (RuntimeException e) {
          if (delivery.timeLeft().isNegative()) throw e;
          try {
            Thread.sleep(REDIS_BACKOFF.delay(attempt).toMillis() + 20);
          } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            throw e;
          }
        }
      }
    }
  }

  private boolean pastNotAfter(PushTask task) {
    return task.notAfter() != null && clock.millis() > task.notAfter();
  }


  /** WeChat answered 40037 for a subscribe template: the registry refuses it fleet-wide until a refresh lists it again. */
  private void templateGone(String appId, String templateId) {
    try {
      templates.markGone(appId, templateId);
      log.info("event=template_gone app={} template={}", appId, templateId);
    } catch (RuntimeException e) { // Redis away: the next push of it meets 40037 again and marks it then
      log.warn("event=template_gone_unmarked app={} template={} error={}", appId, templateId, e.toString());
    }
  }
}
