package io.wxpush.worker.sender;

import io.wxpush.credentials.CredentialKind;
import io.wxpush.push.PushId;
import io.wxpush.push.PushTask;
import io.wxpush.user.UserRef;
import io.wxpush.wechat.WeChatException;
import io.wxpush.wechat.WeChatReply;
import io.wxpush.worker.loop.Backoff;
import io.wxpush.worker.sender.SendLedger.Result;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The tries of one delivery of a task: each {@link #next} asks {@link SendPolicy} before the try,
 * fetches the token, marks the attempt in the ledger (claiming a credential the first time), takes
 * the last look at the push's stop marks and the app's quiet hours, calls WeChat, and returns the action the policy picks,
 * with what this delivery knows for the next decision (failures, credentials tried, 45011 answers,
 * the refused token, whether it holds the entry's attempt). Used by one thread.
 */
final class Attempts {
  /** The action to perform, and the ledger entry it is about (null: not read). */
  record Turn(Action action, LedgerEntry entry) {}

  private static final Backoff REDIS_BACKOFF =
      new Backoff(Duration.ofMillis(100), Duration.ofSeconds(2));

  private final SenderParts p;
  private final PushTask task;
  private final Delivery delivery;
  private final UserRef user;
  private final PushId push;
  private final String template;
  private final SendLedger.Spend spend;
  final EntrySteps steps;
  int failures;
  int quotaAnswers;
  int credentials = 1;
  String lastRefusedToken;
  /** The access token the last WeChat call used. */
  String callToken;
  /** This delivery holds the entry's attempt (marked, not yet settled). */
  boolean holding;
  /** A rate-limit permit is in hand for the next call (the first was taken at admission). */
  boolean permit = true;
  /** WeChat's msgid of the delivered message, 0 when none (a template message, or not sent). */
  long msgid;

  Attempts(SenderParts p, PushTask task, Delivery delivery) {
    this.p = p;
    this.task = task;
    this.delivery = delivery;
    this.user = new UserRef(task.appId(), task.openId());
    this.push = PushId.of(task);
    this.template = task.subscribe() ? task.templateId() : null;
    this.spend = p.rules().spend(task);
    this.steps = new EntrySteps(p.ledger(), user, task.pushRun().orElseThrow(), template, delivery, spend);
  }

  /** Decides the next action for {@code entry} as it stands (null: not read yet), trying a send if the policy lets it. */
  Turn next(LedgerEntry entry) throws InterruptedException {
    if (entry != null && entry.state().isFinal()) return new Turn(new Action.Known(), entry);
    boolean inDoubt = entry != null && entry.inDoubt();
    boolean slot = permit || (p.policy().mayTry(delivery.timeLeft()) && (permit = p.rateLimiter().acquire(task.appId(), giveUpNanos())));
    Optional<Action> exit = p.policy().beforeTry(pastNotAfter(), slot, inDoubt, delivery.timeLeft(), delivery.count());
    if (exit.isPresent()) return new Turn(exit.get(), entry);
    String token;
    try {
      token = p.tokens().token(task.appId());
    } catch (WeChatException e) { // decided from the ledger's state: an earlier delivery may have left the send in doubt
      LedgerEntry known = entry != null ? entry : durable(steps::read).entry();
      if (known != null && known.state().isFinal()) return new Turn(new Action.Known(), known);
      return new Turn(p.policy().decide(state(known, null), WeChatReply.transport(WeChatReply.NOT_SENT, false)), known);
    }
    Result mark = durable(() -> p.ledger().attempt(user, task.pushRun().orElseThrow(), template, delivery.owner(), p.lease(),
        !delivery.callUnsettled(), spend));
    if (mark.claimedNow()) mark.entry().kind().ifPresent(p.meters()::claimed);
    exit = p.policy().afterMark(mark, delivery.timeLeft(), delivery.count());
    if (exit.isPresent()) return new Turn(exit.get(), mark.entry());
    holding = true;
    LedgerEntry marked = mark.entry();
    // the last look before the call: a push cancelled (or failed) by now starts no send, nor one that met quiet hours
    exit = p.policy().lastLook(pastNotAfter(), p.stops().stop(push, giveUpNanos()), p.rules().quietUntil(task),
        marked.inDoubt(), delivery.count());
    if (exit.isPresent()) return new Turn(exit.get(), marked);
    WeChatReply reply = call(marked, token);
    return new Turn(p.policy().decide(state(marked, token), reply), marked);
  }

  /** Waits are given up this long before the deadline: one try must still fit after them. */
  long giveUpNanos() {
    return delivery.deadlineNanos() - p.attemptBudget().toNanos();
  }

  /** The task's {@code notAfter} has passed. */
  boolean pastNotAfter() {
    return task.notAfter() != null && p.clock().millis() > task.notAfter();
  }

  private WeChatReply call(LedgerEntry entry, String token) {
    delivery.callUnsettled(true);
    permit = false;
    callToken = token;
    long started = System.nanoTime();
    String value = entry.credential().orElseThrow().value();
    WeChatReply reply = p.weChat().send(MessageBodies.path(task), token, MessageBodies.body(task, value));
    p.meters().send(reply.errorClass(), task.subscribe() ? "subscribe" : "template", Duration.ofNanos(System.nanoTime() - started));
    if (reply.ok() && reply.msgid() != 0) msgid = reply.msgid();
    switch (reply.errorClass()) {
      case SENT, CREDENTIAL, USER -> p.gate().open(push); // WeChat accepted the request's form
      case REQUEST -> p.gate().shut(push, reply.reason());
      default -> p.gate().inconclusive(push); // let another task probe while this one retries
    }
    return reply;
  }

  private SendPolicy.State state(LedgerEntry entry, String token) {
    boolean tokenRetried = token != null && token.equals(lastRefusedToken);
    // nothing claimed yet: the kind is the task's
    CredentialKind kind = entry == null || entry.kind().isEmpty() ? (task.subscribe() ? CredentialKind.SUBSCRIPTION : CredentialKind.FORM_ID)
        : entry.kind().get();
    boolean inDoubt = entry != null && entry.inDoubt();
    return new SendPolicy.State(kind, inDoubt, failures, credentials, quotaAnswers, tokenRetried, delivery.timeLeft(), p.clock().instant(),
        delivery.count());
  }

  /** A ledger step, retried through a Redis outage until the delivery's deadline (each step is idempotent or fenced). */
  Result durable(Supplier<Result> step) {
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
