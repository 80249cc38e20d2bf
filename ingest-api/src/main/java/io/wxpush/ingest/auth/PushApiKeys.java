package io.wxpush.ingest.auth;

import io.javalin.http.Context;
import io.wxpush.config.Secret;
import io.wxpush.http.ApiException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Checks the push API key business services present ({@code Authorization: Bearer <key>}).
 * Keys are compared in constant time against every configured key; a client address that keeps
 * presenting bad keys is answered 429 for the rest of the minute. Thread-safe.
 */
public final class PushApiKeys {
  /** Bad keys one client address may present per minute before it is throttled. */
  public static final int MAX_FAILURES_PER_MINUTE = 20;

  private final List<Secret> keys;
  private final Clock clock;
  private final Map<String, AtomicInteger> failures = new ConcurrentHashMap<>();
  private volatile long window;

  public PushApiKeys(List<Secret> keys, Clock clock) {
    this.keys = List.copyOf(keys);
    this.clock = clock;
  }

  /** Throws 401 (or 429 when throttled) unless the request carries a valid key; returns the key. */
  public Secret require(Context ctx) {
    String client = ctx.ip();
    rollWindow();
    AtomicInteger failed = failures.get(client);
    if (failed != null && failed.get() >= MAX_FAILURES_PER_MINUTE) {
      throw new ApiException(429, "too_many_bad_keys", "too many requests with a wrong API key; try again later", Optional.of(Duration.ofSeconds(60)));
    }
    String presented = Bearer.token(ctx).orElse(null);
    Secret matched = null;
    for (Secret key : keys) if (key.matches(presented) && matched == null) matched = key; // no early exit: time does not tell which key
    if (matched == null) {
      if (failures.size() < 100_000) failures.computeIfAbsent(client, k -> new AtomicInteger()).incrementAndGet();
      throw ApiException.unauthorized("a valid push API key is required (Authorization: Bearer <key>)");
    }
    return matched;
  }

  /** A key's public name: 16 hex digits of its SHA-256, safe to store and to log. */
  public static String fingerprint(Secret key) {
    try {
      byte[] d = java.security.MessageDigest.getInstance("SHA-256").digest(key.bytes());
      return java.util.HexFormat.of().formatHex(d, 0, 8);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The configured key with this fingerprint (a key since removed from PUSH_API_KEYS has none). */
  public Optional<Secret> byFingerprint(String fingerprint) {
    for (Secret key : keys) if (fingerprint(key).equals(fingerprint)) return Optional.of(key);
    return Optional.empty();
  }

  private void rollWindow() {
    long minute = clock.millis() / 60_000;
    if (minute != window) {
      window = minute;
      failures.clear();
    }
  }
}
