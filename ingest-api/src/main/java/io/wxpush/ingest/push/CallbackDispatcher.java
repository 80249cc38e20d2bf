package io.wxpush.ingest.push;

import io.micrometer.core.instrument.MeterRegistry;
import io.wxpush.secret.Secret;
import io.wxpush.ingest.auth.PushApiKeys;
import io.wxpush.json.Json;
import io.wxpush.metrics.WxpushMeter;
import io.wxpush.push.PushId;
import io.wxpush.push.PushStatus;
import io.wxpush.push.PushStatusStore;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import io.wxpush.ingest.push.PushCallbacks;

/**
 * POSTs each push's final status to its {@code callbackUrl} (BRIEF §3): the status JSON of
 * {@code GET /v1/pushes/{id}}, signed with the push API key that created it
 * ({@link CallbackSignatures}: {@code X-Wxpush-Signature} and the Standard Webhooks headers). The
 * queue is in Redis, one sorted set per app by next attempt, so a restart loses no callback. Each
 * app is a lane of its own: every {@link #run()} (once a second) claims, per app, only as many due
 * callbacks as the app has free slots (at most {@code perApp} POSTs in flight per app and
 * instance) for a lease that outlasts a POST, and works them on virtual threads; so a slow or
 * stalling receiver ties up its own app's slots and never another app's. Each POST ends within
 * {@code CALLBACK_TIMEOUT}, body included, at the address that was checked
 * ({@link CallbackPoster}). A failed attempt is retried with exponential backoff (1 s doubling to
 * 1 h) and full jitter for 24 h from when the push ended, then given up. Delivery is at least
 * once: a receiver treats a repeated {@code webhook-id} as one. Metrics: POSTs in flight per app,
 * POSTs past their deadline (should stay 0), attempts by outcome. Thread-safe.
 */
public final class CallbackDispatcher implements Runnable, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(CallbackDispatcher.class);
  static final Duration GIVE_UP_AFTER = Duration.ofHours(24);
  private static final Duration NOT_FINAL_POLL = Duration.ofSeconds(1);
  private static final Duration MIN_LEASE = Duration.ofSeconds(60);
  /** A POST running this much past its deadline counts as stuck (the deadline is hard: none should). */
  private static final Duration STUCK_GRACE = Duration.ofSeconds(10);

  private final PushStatusStore statuses;
  private final PushCallbacks queue;
  private final PushApiKeys keys;
  private final Map<String, Semaphore> lanes = new LinkedHashMap<>();
  private final int perApp;
  private final Duration timeout;
  private final Duration lease;
  private final Clock clock;
  private final MeterRegistry meters;
  private final CallbackPoster poster;
  private final ExecutorService workers = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("push-callback-", 0).factory());
  private final Map<Long, Long> running = new ConcurrentHashMap<>(); // attempt → start, System.nanoTime()
  private final AtomicLong attempts = new AtomicLong();

  /**
   * @param perApp most POSTs in flight at once per app in this instance ({@code CALLBACK_CONCURRENCY})
   * @param timeout the deadline of one POST, connect to the answer's last byte ({@code CALLBACK_TIMEOUT})
   */
  public CallbackDispatcher(PushStatusStore statuses, PushCallbacks queue, PushApiKeys keys, Set<String> apps, int perApp, Duration timeout,
      boolean allowPrivate, Clock clock, MeterRegistry meters) {
    if (perApp < 1) throw new IllegalArgumentException("perApp must be at least 1");
    this.statuses = statuses;
    this.queue = queue;
    this.keys = keys;
    this.perApp = perApp;
    this.timeout = timeout;
    // a claim outlasts the POST it is for (and a slow Redis round on each side of it)
    Duration outlasting = timeout.multipliedBy(2).plusSeconds(30);
    this.lease = outlasting.compareTo(MIN_LEASE) > 0 ? outlasting : MIN_LEASE;
    this.clock = clock;
    this.meters = meters;
    this.poster = new CallbackPoster(timeout, allowPrivate, clock);
    for (String app : new TreeSet<>(apps)) {
      Semaphore lane = new Semaphore(perApp);
      lanes.put(app, lane);
      WxpushMeter.CALLBACKS_IN_FLIGHT.gauge(meters, () -> perApp - lane.availablePermits(), app);
      for (String outcome : List.of("delivered", "failed", "gave_up")) WxpushMeter.CALLBACK_ATTEMPTS.counter(meters, app, outcome);
    }
    WxpushMeter.CALLBACKS_STUCK.gauge(meters, this::stuck);
  }

  /** POSTs running past their deadline plus {@link #STUCK_GRACE}. */
  int stuck() {
    long limit = System.nanoTime() - timeout.plus(STUCK_GRACE).toNanos();
    int n = 0;
    for (long started : running.values()) if (started - limit < 0) n++;
    return n;
  }

  /** One round: for each app, claims as many due callbacks as it has free slots and starts them. Never blocks on a receiver. */
  @Override
  public void run() {
    for (Map.Entry<String, Semaphore> lane : lanes.entrySet()) {
      try {
        dispatch(lane.getKey(), lane.getValue());
      } catch (RuntimeException e) { // Redis away: the claims' leases bring them back; the other apps still get their round
        log.warn("event=callback_dispatch_failed app={} error={}", lane.getKey(), e.toString());
      }
    }
  }

  private void dispatch(String appId, Semaphore lane) {
    int free = lane.availablePermits(); // only this thread takes permits: at least this many are there below
    if (free == 0) return;
    for (String rid : queue.claimCallbacks(appId, lease, free)) {
      if (!lane.tryAcquire()) return; // cannot happen (see above); the lease brings the claim back
      long attempt = attempts.incrementAndGet();
      running.put(attempt, System.nanoTime());
      try {
        workers.execute(() -> {
          try {
            handle(appId, rid);
          } catch (RuntimeException e) {
            log.warn("event=callback_failed_unexpectedly app={} requestId={} error={}", appId, rid, e.toString());
          } finally {
            running.remove(attempt);
            lane.release();
          }
        });
      } catch (RejectedExecutionException e) { // closing
        running.remove(attempt);
        lane.release();
        return;
      }
    }
  }

  private void handle(String appId, String rid) {
    Optional<PushStatus> s = statuses.read(new PushId(appId, rid));
    Optional<PushCallbacks.Callback> cb = queue.callback(appId, rid);
    if (s.isEmpty() || cb.isEmpty()) { // the status expired (8 days): nothing left to report
      queue.endCallback(appId, rid, "gave_up", 0);
      return;
    }
    if (!s.get().isFinal()) {
      queue.callbackLater(appId, rid, clock.millis() + NOT_FINAL_POLL.toMillis());
      return;
    }
    long finalSince = queue.callbackFinalSince(appId, rid);
    int tries = cb.get().attempts() + 1;
    CallbackPoster.Result result = post(appId, rid, cb.get(), s.get());
    switch (result) {
      case CallbackPoster.Result.Delivered d -> {
        queue.endCallback(appId, rid, "delivered", tries);
        WxpushMeter.CALLBACK_ATTEMPTS.counter(meters, appId, "delivered").increment();
        log.info("event=callback_delivered app={} requestId={} attempts={}", appId, rid, tries);
      }
      case CallbackPoster.Result.Refused r -> giveUp(appId, rid, tries, r.why());
      case CallbackPoster.Result.Failed f -> {
        long now = clock.millis();
        if (now - finalSince >= GIVE_UP_AFTER.toMillis()) {
          giveUp(appId, rid, tries, f.why());
          return;
        }
        long cap = Math.min(3_600_000L, 1_000L << Math.min(tries - 1, 22));
        long delay = ThreadLocalRandom.current().nextLong(cap / 2, cap + 1); // jitter: spread retries of many pushes
        queue.retryCallback(appId, rid, tries, now + delay);
        WxpushMeter.CALLBACK_ATTEMPTS.counter(meters, appId, "failed").increment();
        log.info("event=callback_failed app={} requestId={} attempt={} why={} retry_in_ms={}", appId, rid, tries, f.why(), delay);
      }
    }
  }

  private void giveUp(String appId, String rid, int tries, String why) {
    queue.endCallback(appId, rid, "gave_up", tries);
    WxpushMeter.CALLBACK_ATTEMPTS.counter(meters, appId, "gave_up").increment();
    log.warn("event=callback_given_up app={} requestId={} attempts={} why={}", appId, rid, tries, why);
  }

  private CallbackPoster.Result post(String appId, String rid, PushCallbacks.Callback cb, PushStatus s) {
    Optional<Secret> key = keys.byFingerprint(cb.keyFingerprint() == null ? "" : cb.keyFingerprint());
    if (key.isEmpty()) return new CallbackPoster.Result.Refused("refused_key_removed"); // nothing left to sign with
    return poster.post(cb.url(), key.get(), CallbackSignatures.messageId(appId, rid), Json.write(PushHandler.answer(s)));
  }

  /** Stops taking callbacks, lets the POSTs in flight end (each within the timeout), then closes the HTTP client. */
  @Override
  public void close() {
    workers.shutdown();
    try {
      if (!workers.awaitTermination(timeout.toMillis() + 1_000, TimeUnit.MILLISECONDS)) workers.shutdownNow();
    } catch (InterruptedException e) {
      workers.shutdownNow();
      Thread.currentThread().interrupt();
    }
    poster.close(); // a POST cut short here is tried again by another instance once its lease ends
  }
}
