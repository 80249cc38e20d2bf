package io.wxpush.worker.sender;

import io.wxpush.worker.Backoff;
import io.wxpush.credentials.Claim;
import io.wxpush.credentials.CredentialPool;
import io.wxpush.credentials.UserRef;
import io.wxpush.push.Outcome;
import io.wxpush.push.PushStatusStore;
import io.wxpush.push.PushTask;
import io.wxpush.token.TokenManager;
import io.wxpush.wechat.WeChatClient;
import io.wxpush.wechat.WeChatException;
import io.wxpush.wechat.WeChatReply;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Delivers one task: one message to one user, spending one credential, acting on each WeChat
 * answer by its class (WECHAT-API.md). Returns when the task has a final outcome (recorded
 * once) and may be acknowledged. Thread-safe; blocking (run it on a virtual thread).
 */
final class TaskProcessor {
  /** Credentials tried for one user before giving up on 41028/41029. */
  static final int MAX_CREDENTIALS_PER_USER = 5;
  /** Longest single 45011 pause; with {@link #MAX_QUOTA_RETRIES} it keeps a task well inside the broker's 30 s lock. */
  private static final Duration MAX_RATE_LIMIT_PAUSE = Duration.ofSeconds(4);
  /** 45011 answers one task takes before it goes to the DLQ. */
  static final int MAX_QUOTA_RETRIES = 6;
  private static final long FAIL_FAST_CACHE_MS = 1_000;

  private final CredentialPool pool;
  private final PushStatusStore status;
  private final TokenManager tokens;
  private final WeChatClient weChat;
  private final AppPause pauses;
  private final SendRateLimiter rateLimiter;
  private final Outcomes outcomes;
  private final SenderMeters meters;
  private final Backoff backoff;
  private final int maxAttempts;
  private final Clock clock;
  private final Map<String, FailFast> failFast = new ConcurrentHashMap<>();
  private final PushGate gate = new PushGate();

  private record FailFast(Optional<String> reason, long readAt) {}

  TaskProcessor(CredentialPool pool, PushStatusStore status, TokenManager tokens, WeChatClient weChat, AppPause pauses,
      SendRateLimiter rateLimiter, Outcomes outcomes, SenderMeters meters, Backoff backoff, int maxAttempts, Clock clock) {
    this.pool = pool;
    this.status = status;
    this.tokens = tokens;
    this.weChat = weChat;
    this.pauses = pauses;
    this.rateLimiter = rateLimiter;
    this.outcomes = outcomes;
    this.meters = meters;
    this.backoff = backoff;
    this.maxAttempts = maxAttempts;
    this.clock = clock;
  }

  void process(PushTask task) throws InterruptedException {
    String rid = task.requestId();
    if (status.hasOutcome(rid, task.openId())) return; // a redelivered task whose user is done
    if (task.notAfter() != null && clock.millis() > task.notAfter()) {
      outcomes.record(task, Outcome.FAILED, "not_after");
      return;
    }
    Optional<String> failed = failedFast(rid);
    if (failed.isPresent()) {
      outcomes.record(task, Outcome.FAILED, failed.get());
      return;
    }
    if (waitOutPause(task)) return;
    Optional<String> refused = gate.enter(rid);
    if (refused.isPresent()) {
      outcomes.record(task, Outcome.FAILED, refused.get());
      return;
    }
    try {
      claimAndSend(task);
    } finally {
      gate.inconclusive(rid); // no-op unless this task was the probe and left no verdict
    }
  }

  private void claimAndSend(PushTask task) throws InterruptedException {
    String rid = task.requestId();
    UserRef user = new UserRef(task.appId(), task.openId());
    String template = task.subscribe() ? task.templateId() : null;
    Optional<Claim> claimed = pool.claim(user, rid, template, false);
    if (claimed.isEmpty()) {
      outcomes.record(task, Outcome.NO_CREDENTIAL, "none");
      return;
    }
    Claim claim = claimed.get();
    // A claim this push already held means an earlier attempt may have reached WeChat.
    boolean inDoubt = claim.existing();
    if (inDoubt && task.subscribe()) {
      outcomes.record(task, Outcome.UNKNOWN, "in_doubt"); // a grant has no 41029 guard: never repeat
      return;
    }
    if (!claim.existing()) meters.claimed(claim.kind());
    new Attempt(task, user, template, claim, inDoubt).run();
  }

  /** The retry loop of one task, with its own state. */
  private final class Attempt {
    private final PushTask task;
    private final UserRef user;
    private final String template;
    private Claim claim;
    private boolean inDoubt;
    private String lastRefusedToken;
    private int attempts;
    private int quotaRetries;
    private int credentials = 1;

    Attempt(PushTask task, UserRef user, String template, Claim claim, boolean inDoubt) {
      this.task = task;
      this.user = user;
      this.template = template;
      this.claim = claim;
      this.inDoubt = inDoubt;
    }

    void run() throws InterruptedException {
      while (true) {
        if (dailyQuotaReached()) return;
        rateLimiter.acquire(task.appId());
        WeChatReply reply;
        String token = null;
        long started = System.nanoTime();
        try {
          token = tokens.token(task.appId());
          reply = weChat.send(MessageBodies.path(task), token, MessageBodies.body(task, claim.value()));
        } catch (WeChatException e) {
          reply = WeChatReply.transport("no access token: errcode " + e.reply().errcode(), false);
        }
        meters.send(reply.errorClass(), task.subscribe() ? "subscribe" : "template", Duration.ofNanos(System.nanoTime() - started));
        switch (reply.errorClass()) {
          case SENT, CREDENTIAL, USER -> gate.open(task.requestId()); // WeChat accepted the request's form
          case REQUEST -> gate.shut(task.requestId(), reply.reason());
          default -> gate.inconclusive(task.requestId()); // let another task probe while this one retries
        }
        switch (reply.errorClass()) {
          case SENT -> {
            outcomes.record(task, Outcome.SENT, null);
            return;
          }
          case TOKEN -> {
            tokens.invalidate(task.appId(), token);
            if (token != null && !token.equals(lastRefusedToken)) {
              lastRefusedToken = token; // refresh and retry once per refused token
              continue;
            }
            if (transient_(reply)) return;
          }
          case CREDENTIAL -> {
            if (reply.errcode() == 41029 && inDoubt) {
              outcomes.record(task, Outcome.SENT, null); // our own earlier send went through
              return;
            }
            if (nextCredential(reply)) return;
          }
          case USER -> {
            outcomes.record(task, Outcome.FAILED, reply.reason());
            return;
          }
          case REQUEST -> {
            status.failFast(task.requestId(), reply.reason()); // for the other processes; ours shut the gate above
            pool.release(user, task.requestId(), template, claim);
            outcomes.record(task, Outcome.FAILED, reply.reason());
            return;
          }
          case QUOTA -> {
            if (quota(reply)) return;
          }
          case TRANSIENT -> {
            if (transient_(reply)) return;
          }
        }
      }
    }

    /** 41028/41029: this credential is dead; claim the next (bounded). True when the task ended. */
    private boolean nextCredential(WeChatReply reply) {
      if (credentials >= MAX_CREDENTIALS_PER_USER) {
        outcomes.record(task, Outcome.FAILED, "credentials_refused");
        return true;
      }
      Optional<Claim> next = pool.claim(user, task.requestId(), template, true);
      if (next.isEmpty()) {
        outcomes.record(task, Outcome.NO_CREDENTIAL, reply.reason());
        return true;
      }
      claim = next.get();
      meters.claimed(claim.kind());
      inDoubt = false;
      credentials++;
      return false;
    }

    /**
     * 45009 pauses the app until the quota resets (the task goes to the DLQ, the credential back
     * to the pool); 45011 pauses the app briefly (1, 2, 4 s…, at most 4 s) and the task waits it
     * out and retries, up to {@link #MAX_QUOTA_RETRIES} times. True when the task ended.
     */
    private boolean quota(WeChatReply reply) throws InterruptedException {
      if (reply.errcode() == 45009) {
        pauses.pause(task.appId(), Outcomes.untilNextBeijingMidnight(clock), "45009");
        giveUp("45009");
        return true;
      }
      quotaRetries++;
      if (quotaRetries > MAX_QUOTA_RETRIES) {
        giveUp("45011");
        return true;
      }
      Duration pause = Duration.ofMillis(Math.min(MAX_RATE_LIMIT_PAUSE.toMillis(), 500L << Math.min(quotaRetries, 4)));
      pauses.pause(task.appId(), pause, "45011");
      sleepWhilePaused();
      return false;
    }

    private void sleepWhilePaused() throws InterruptedException {
      TaskProcessor.this.sleepWhilePaused(task.appId());
    }

    /** A daily-quota pause set by any worker ends this task now. True when it did. */
    private boolean dailyQuotaReached() throws InterruptedException {
      Optional<AppPause.Pause> pause = pauses.current(task.appId());
      if (pause.isPresent() && "45009".equals(pause.get().reason())) {
        giveUp("45009");
        return true;
      }
      sleepWhilePaused();
      return false;
    }

    /** −1, 5xx, I/O: retry with backoff; in doubt about a grant, stop. True when the task ended. */
    private boolean transient_(WeChatReply reply) throws InterruptedException {
      attempts++;
      if (reply.inDoubt()) inDoubt = true;
      if (inDoubt && task.subscribe()) {
        outcomes.record(task, Outcome.UNKNOWN, "in_doubt");
        return true;
      }
      if (attempts >= maxAttempts) {
        giveUp(reply.reason());
        return true;
      }
      Thread.sleep(backoff.delay(attempts).toMillis());
      return false;
    }

    /** Retries exhausted: back to the pool if WeChat surely did not use it, then the DLQ. */
    private void giveUp(String reason) {
      if (inDoubt) {
        outcomes.deadLetter(task, reason, attempts, Outcome.UNKNOWN);
      } else {
        pool.release(user, task.requestId(), template, claim);
        outcomes.deadLetter(task, reason, attempts, Outcome.FAILED);
      }
    }
  }

  /** Before claiming: a daily-quota pause ends the task (DLQ, nothing claimed); a rate-limit pause is waited out. */
  private boolean waitOutPause(PushTask task) throws InterruptedException {
    Optional<AppPause.Pause> pause = pauses.current(task.appId());
    if (pause.isPresent() && "45009".equals(pause.get().reason())) {
      outcomes.deadLetter(task, "45009", 0, Outcome.FAILED);
      return true;
    }
    sleepWhilePaused(task.appId());
    return false;
  }

  /** Sleeps while the app is rate-limited (45011), at most a few pauses' worth. */
  private void sleepWhilePaused(String appId) throws InterruptedException {
    long giveUpAt = clock.millis() + 2 * MAX_RATE_LIMIT_PAUSE.toMillis();
    Optional<AppPause.Pause> pause = pauses.current(appId);
    while (pause.isPresent() && "45011".equals(pause.get().reason()) && clock.millis() < giveUpAt) {
      Thread.sleep(Math.max(1, Math.min(pause.get().untilMs() - clock.millis(), MAX_RATE_LIMIT_PAUSE.toMillis())));
      pause = pauses.current(appId);
    }
  }

  private Optional<String> failedFast(String requestId) {
    long now = clock.millis();
    FailFast cached = failFast.get(requestId);
    if (cached != null && (cached.reason().isPresent() || now - cached.readAt() < FAIL_FAST_CACHE_MS)) return cached.reason();
    Optional<String> reason = status.failedFast(requestId);
    if (failFast.size() > 10_000) failFast.clear();
    failFast.put(requestId, new FailFast(reason, now));
    return reason;
  }
}
