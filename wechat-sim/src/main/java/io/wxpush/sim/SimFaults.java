package io.wxpush.sim;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The faults the two send endpoints inject: latency, errcode −1, HTTP 500/503, hung requests
 * (before processing or after delivering), answers lost after delivery (a gateway's 502, a reset
 * connection), 45011 bursts, a rate limit per app (45011 past it, a token bucket of one second) and
 * a daily quota per app (45009). It also counts each app's sends per sim day, limit or not, for
 * {@code quota/get} ({@link #quota}). Changeable at any time from any thread; each send reads the
 * settings once per decision.
 */
public final class SimFaults {
  /** What the send endpoint must do instead of (or after) processing a send. */
  enum Injected { NONE, HTTP_500, HTTP_503, SYSTEM_ERROR, HANG_BEFORE, RATE_LIMITED, QUOTA_EXCEEDED }

  /** What becomes of the answer to a send that was delivered. */
  enum AfterDelivery {
    /** The answer goes out as usual. */
    ANSWER,
    /** It is held back until the client has given up (a time-out after delivery). */
    HANG,
    /** A gateway in front of WeChat answers 502 instead. */
    GATEWAY_ERROR,
    /** The connection is reset instead of answering. */
    RESET
  }

  private final SimClock clock;
  private volatile long latencyNanos;
  private volatile long jitterNanos;
  private volatile double systemErrorRate;
  private volatile double http500Rate;
  private volatile double http503Rate;
  private volatile double hangBeforeRate;
  private volatile Duration hangBeforeFor = Duration.ofSeconds(30);
  private volatile double hangAfterRate;
  private volatile Duration hangAfterFor = Duration.ofSeconds(30);
  private volatile double gatewayErrorAfterRate;
  private volatile double resetAfterRate;
  private final AtomicInteger rateLimitNext = new AtomicInteger();
  private volatile long rateLimitUntilNanos = System.nanoTime();
  private final Map<String, Long> quotas = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> quotaUsed = new ConcurrentHashMap<>();
  private final Map<String, Integer> rateLimits = new ConcurrentHashMap<>();
  private final Map<String, RateBucket> rateBuckets = new ConcurrentHashMap<>();

  /** WeChat's documented daily limit of the subscribe send, reported by {@code quota/get} for an app without a quota set. */
  static final long DEFAULT_DAILY_LIMIT = 10_000_000;

  /** What {@code quota/get} reports of an app: today's limit, sends counted today, and the rate limit (0: none). */
  record Quota(long dailyLimit, long used, int ratePerSecond) {
    long remain() {
      return Math.max(0, dailyLimit - used);
    }
  }

  /**
   * One app's rate limit as a token bucket: it holds at most one second's sends and refills
   * continuously at the limit's rate (real time, not the sim clock), so any second-long span
   * admits at most twice the limit after an idle spell and the long-run rate never exceeds it.
   * WeChat does not document how it counts {@code call_count} per {@code refresh_second}; a bucket
   * does not depend on the client's second boundaries agreeing with WeChat's.
   */
  private static final class RateBucket {
    private double tokens = -1;
    private long lastNanos;

    synchronized boolean admit(long nowNanos, int limit) {
      if (tokens < 0) {
        tokens = limit;
      } else if (nowNanos - lastNanos > 0) {
        tokens = Math.min(limit, tokens + (nowNanos - lastNanos) * (double) limit / 1_000_000_000L);
      }
      if (nowNanos - lastNanos > 0) lastNanos = nowNanos;
      if (tokens < 1) return false;
      tokens -= 1;
      return true;
    }
  }

  SimFaults(SimClock clock) {
    this.clock = clock;
  }

  /** Adds {@code fixed} plus a uniform random part in [0, randomExtra] to every send. */
  public SimFaults latency(Duration fixed, Duration randomExtra) {
    latencyNanos = SimConfig.Builder.nonNegative(fixed, "latency").toNanos();
    jitterNanos = SimConfig.Builder.nonNegative(randomExtra, "latencyJitter").toNanos();
    return this;
  }

  /** Fraction of sends answered {@code {"errcode":-1}} without processing. */
  public SimFaults systemErrorRate(double rate) {
    systemErrorRate = SimConfig.Builder.rate(rate, "systemErrorRate");
    return this;
  }

  public SimFaults http500Rate(double rate) {
    http500Rate = SimConfig.Builder.rate(rate, "http500Rate");
    return this;
  }

  public SimFaults http503Rate(double rate) {
    http503Rate = SimConfig.Builder.rate(rate, "http503Rate");
    return this;
  }

  /** Fraction of sends that hang for {@code hangFor} and are then answered −1, never delivered. */
  public SimFaults hangBeforeRate(double rate, Duration hangFor) {
    hangBeforeFor = SimConfig.Builder.nonNegative(hangFor, "hangFor");
    hangBeforeRate = SimConfig.Builder.rate(rate, "hangBeforeRate");
    return this;
  }

  /** Fraction of successful sends that are delivered, then hang for {@code hangFor} before the answer. */
  public SimFaults hangAfterDeliveryRate(double rate, Duration hangFor) {
    hangAfterFor = SimConfig.Builder.nonNegative(hangFor, "hangFor");
    hangAfterRate = SimConfig.Builder.rate(rate, "hangAfterDeliveryRate");
    return this;
  }

  /** Fraction of successful sends that are delivered and then answered HTTP 502 by a gateway. */
  public SimFaults gatewayErrorAfterDeliveryRate(double rate) {
    gatewayErrorAfterRate = SimConfig.Builder.rate(rate, "http5xxAfterDeliveryRate");
    return this;
  }

  /** Fraction of successful sends that are delivered and then answered by a reset connection. */
  public SimFaults resetAfterDeliveryRate(double rate) {
    resetAfterRate = SimConfig.Builder.rate(rate, "resetAfterDeliveryRate");
    return this;
  }

  /** The next {@code sends} sends answer 45011. */
  public SimFaults rateLimitNext(int sends) {
    if (sends < 0) throw new IllegalArgumentException("rateLimitNext must be >= 0: " + sends);
    rateLimitNext.set(sends);
    return this;
  }

  /** Every send answers 45011 for {@code duration} of real time from now. */
  public SimFaults rateLimitFor(Duration duration) {
    rateLimitUntilNanos = System.nanoTime() + SimConfig.Builder.nonNegative(duration, "rateLimitFor").toNanos();
    return this;
  }

  /** At most {@code sends} sends per sim day for {@code appId}; later ones answer 45009. */
  public SimFaults dailyQuota(String appId, long sends) {
    if (sends < 0) throw new IllegalArgumentException("dailyQuota must be >= 0: " + sends);
    quotas.put(appId, sends);
    return this;
  }

  /**
   * At most {@code perSecond} sends of {@code appId} per second of real time, counted as a token
   * bucket holding one second's sends ({@link RateBucket}); a send finding it empty answers 45011
   * and is not counted in the day. {@code quota/get} reports it as {@code rate_limit}. 0 removes it.
   */
  public SimFaults rateLimit(String appId, int perSecond) {
    if (perSecond < 0) throw new IllegalArgumentException("rateLimit must be >= 0: " + perSecond);
    if (perSecond == 0) rateLimits.remove(appId);
    else rateLimits.put(appId, perSecond);
    return this;
  }

  /** Removes every fault, including quotas, rate limits and what they counted. */
  public SimFaults clear() {
    latencyNanos = 0;
    jitterNanos = 0;
    systemErrorRate = 0;
    http500Rate = 0;
    http503Rate = 0;
    hangBeforeRate = 0;
    hangAfterRate = 0;
    gatewayErrorAfterRate = 0;
    resetAfterRate = 0;
    rateLimitNext.set(0);
    rateLimitUntilNanos = System.nanoTime();
    quotas.clear();
    quotaUsed.clear();
    rateLimits.clear();
    rateBuckets.clear();
    return this;
  }

  /** The current settings as the JSON map of {@code GET /sim/faults}. */
  public Map<String, Object> snapshot() {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("latencyMs", latencyNanos / 1_000_000);
    out.put("latencyJitterMs", jitterNanos / 1_000_000);
    out.put("systemErrorRate", systemErrorRate);
    out.put("http500Rate", http500Rate);
    out.put("http503Rate", http503Rate);
    out.put("hangBeforeRate", hangBeforeRate);
    out.put("hangAfterDeliveryRate", hangAfterRate);
    out.put("hangMs", Math.max(hangBeforeFor.toMillis(), hangAfterFor.toMillis()));
    out.put("hangBeforeMs", hangBeforeFor.toMillis());
    out.put("hangAfterMs", hangAfterFor.toMillis());
    out.put("http5xxAfterDeliveryRate", gatewayErrorAfterRate);
    out.put("resetAfterDeliveryRate", resetAfterRate);
    out.put("rateLimitNext", rateLimitNext.get());
    out.put("rateLimitForMs", Math.max(0, (rateLimitUntilNanos - System.nanoTime()) / 1_000_000));
    out.put("dailyQuota", Map.copyOf(quotas));
    out.put("rateLimit", Map.copyOf(rateLimits));
    return out;
  }

  Duration hangBeforeFor() {
    return hangBeforeFor;
  }

  Duration hangAfterFor() {
    return hangAfterFor;
  }

  /** Sleeps for the configured latency (blocking; sends run on virtual threads). */
  void applyLatency() throws InterruptedException {
    long fixed = latencyNanos;
    long jitter = jitterNanos;
    long total = fixed + (jitter > 0 ? ThreadLocalRandom.current().nextLong(jitter + 1) : 0);
    if (total > 0) Thread.sleep(Duration.ofNanos(total));
  }

  /** Decides the transport and system faults that come before the access token is checked. */
  Injected beforeProcessing() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    if (hit(random, http500Rate)) return Injected.HTTP_500;
    if (hit(random, http503Rate)) return Injected.HTTP_503;
    if (hit(random, systemErrorRate)) return Injected.SYSTEM_ERROR;
    if (hit(random, hangBeforeRate)) return Injected.HANG_BEFORE;
    return Injected.NONE;
  }

  /**
   * Decides 45011 and 45009 for a send of {@code appId} that holds a valid token; a send let
   * through is counted in the app's sends of the sim day.
   */
  Injected limits(String appId) {
    if (rateLimitNext.get() > 0 && rateLimitNext.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0) return Injected.RATE_LIMITED;
    if (System.nanoTime() - rateLimitUntilNanos < 0) return Injected.RATE_LIMITED;
    Integer rate = rateLimits.get(appId);
    if (rate != null && !rateBuckets.computeIfAbsent(appId, k -> new RateBucket()).admit(System.nanoTime(), rate)) {
      return Injected.RATE_LIMITED;
    }
    Long quota = quotas.get(appId);
    long limit = quota == null ? Long.MAX_VALUE : quota; // without a quota set nothing is refused, but sends are still counted
    long before = used(appId).getAndUpdate(n -> n < limit ? n + 1 : n);
    return before >= limit ? Injected.QUOTA_EXCEEDED : Injected.NONE;
  }

  /** The app's quota as {@code quota/get} reports it for the current sim day. */
  Quota quota(String appId) {
    Long quota = quotas.get(appId);
    AtomicLong used = quotaUsed.get(dayKey(appId));
    return new Quota(quota == null ? DEFAULT_DAILY_LIMIT : quota, used == null ? 0 : used.get(), rateLimits.getOrDefault(appId, 0));
  }

  /** The app's send count of the current sim day. */
  private AtomicLong used(String appId) {
    return quotaUsed.computeIfAbsent(dayKey(appId), k -> new AtomicLong());
  }

  /** The app's counter for WeChat's current day, a Beijing-time day of the sim clock (so {@code /sim/clock} moves it). */
  private String dayKey(String appId) {
    long day = Math.floorDiv(clock.nowMillis() + 8 * 3_600_000L, 86_400_000L);
    return appId + "@" + day;
  }

  /** What becomes of the answer to a send that was just delivered. */
  AfterDelivery afterDelivery() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    if (hit(random, hangAfterRate)) return AfterDelivery.HANG;
    if (hit(random, gatewayErrorAfterRate)) return AfterDelivery.GATEWAY_ERROR;
    if (hit(random, resetAfterRate)) return AfterDelivery.RESET;
    return AfterDelivery.ANSWER;
  }

  private static boolean hit(ThreadLocalRandom random, double rate) {
    return rate > 0 && random.nextDouble() < rate;
  }
}
