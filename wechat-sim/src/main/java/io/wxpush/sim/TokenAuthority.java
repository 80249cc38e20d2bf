package io.wxpush.sim;

import io.javalin.http.Context;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.Optional;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Issues and checks access tokens the way WeChat does: {@code cgi-bin/token} tokens replace
 * the previous one with a 5-minute overlap; {@code cgi-bin/stable_token} returns the same token
 * until 5 minutes before expiry (force mode replaces it at once); the two kinds never affect
 * each other. Thread-safe. Tokens are secrets: nothing here logs them.
 */
final class TokenAuthority {
  static final long OVERLAP_MILLIS = Duration.ofMinutes(5).toMillis();

  /** Which endpoint issued a token. */
  enum Kind { PLAIN, STABLE }

  /** An issued token; {@code retireAt} moves earlier when a newer token replaces it. */
  static final class Issued {
    final String token;
    final String appId;
    final Kind kind;
    final long expiresAt;
    final int epoch;
    volatile long retireAt = Long.MAX_VALUE;

    Issued(String token, String appId, Kind kind, long expiresAt, int epoch) {
      this.token = token;
      this.appId = appId;
      this.kind = kind;
      this.expiresAt = expiresAt;
      this.epoch = epoch;
    }
  }

  /** The outcome of checking a token: errcode 0 with the app, or 40001 / 42001. */
  record Check(int errcode, String appId) {}

  private static final SecureRandom RANDOM = new SecureRandom();

  private final SimClock clock;
  private final long ttlMillis;
  private final Map<String, Issued> byToken = new ConcurrentHashMap<>();
  private final Map<String, Issued> currentPlain = new ConcurrentHashMap<>();
  private final Map<String, Issued> currentStable = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> epochs = new ConcurrentHashMap<>();
  private final LongAdder issued = new LongAdder();

  TokenAuthority(SimClock clock, Duration ttl) {
    this.clock = clock;
    this.ttlMillis = ttl.toMillis();
  }

  /** {@code cgi-bin/token}: always a new token; the previous one works 5 more minutes. */
  Issued issuePlain(String appId) {
    synchronized (lockFor(appId)) {
      long now = clock.nowMillis();
      Issued next = issue(appId, Kind.PLAIN, now);
      Issued previous = currentPlain.put(appId, next);
      if (previous != null) retire(previous, now + OVERLAP_MILLIS);
      return next;
    }
  }

  /** {@code cgi-bin/stable_token}: the current token unless it is near expiry or {@code force}. */
  Issued issueStable(String appId, boolean force) {
    synchronized (lockFor(appId)) {
      long now = clock.nowMillis();
      Issued current = currentStable.get(appId);
      if (!force && current != null && usable(current, now) && now < current.expiresAt - OVERLAP_MILLIS) return current;
      Issued next = issue(appId, Kind.STABLE, now);
      currentStable.put(appId, next);
      if (current != null) retire(current, force ? now : now + OVERLAP_MILLIS);
      return next;
    }
  }

  /** Seconds the token has left, for {@code expires_in}. */
  long expiresInSeconds(Issued token) {
    return Math.max(0, (token.expiresAt - clock.nowMillis()) / 1000);
  }

  /**
   * The app of the request's {@code access_token} query parameter; empty when the token is missing
   * (41001) or refused (40001 / 42001), the error already answered as WeChat's JSON.
   */
  Optional<String> appOf(Context ctx) {
    String token = ctx.queryParam("access_token");
    if (token == null || token.isEmpty()) {
      WeChatAnswers.error(ctx, 41001, "access_token missing");
      return Optional.empty();
    }
    Check check = check(token);
    if (check.errcode() != 0) {
      WeChatAnswers.error(ctx, check.errcode(), refusal(check.errcode()));
      return Optional.empty();
    }
    return Optional.of(check.appId());
  }

  /** WeChat's errmsg for a refused token. */
  static String refusal(int errcode) {
    return errcode == 42001 ? "access_token expired" : "invalid credential, access_token is invalid or not latest";
  }

  /** Checks a token presented with a send: 0, 40001 (unknown, replaced, invalidated) or 42001 (expired). */
  Check check(String token) {
    Issued issued = byToken.get(token);
    if (issued == null) return new Check(40001, null);
    long now = clock.nowMillis();
    if (now >= issued.expiresAt) return new Check(42001, issued.appId);
    if (!usable(issued, now)) return new Check(40001, issued.appId);
    return new Check(0, issued.appId);
  }

  /** Makes every current token of {@code appId} answer 40001; the next fetch issues a new one. */
  void invalidate(String appId) {
    synchronized (lockFor(appId)) {
      epochs.computeIfAbsent(appId, k -> new AtomicInteger()).incrementAndGet();
      currentPlain.remove(appId);
      currentStable.remove(appId);
    }
  }

  long issuedCount() {
    return issued.sum();
  }

  void clear() {
    byToken.clear();
    currentPlain.clear();
    currentStable.clear();
    epochs.values().forEach(e -> e.incrementAndGet());
    issued.reset();
  }

  private boolean usable(Issued token, long now) {
    return now < token.retireAt && now < token.expiresAt && token.epoch == epochOf(token.appId);
  }

  private Issued issue(String appId, Kind kind, long now) {
    byte[] bytes = new byte[24];
    RANDOM.nextBytes(bytes);
    String token = (kind == Kind.STABLE ? "SIMS_" : "SIMT_") + HexFormat.of().formatHex(bytes);
    Issued next = new Issued(token, appId, kind, now + ttlMillis, epochOf(appId));
    if (byToken.size() > 10_000) byToken.values().removeIf(t -> t.retireAt <= now); // replaced tokens answer 40001 either way
    byToken.put(token, next);
    issued.increment();
    return next;
  }

  private static void retire(Issued token, long at) {
    if (at < token.retireAt) token.retireAt = at;
  }

  private int epochOf(String appId) {
    AtomicInteger epoch = epochs.get(appId);
    return epoch == null ? 0 : epoch.get();
  }

  private Object lockFor(String appId) {
    return epochs.computeIfAbsent(appId, k -> new AtomicInteger());
  }
}
