package io.wxpush.ingest.push;

import io.wxpush.redis.RedisKeys;
import io.wxpush.redis.RedisScript;
import io.wxpush.redis.StoreUnavailableException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.params.ZAddParams;

/**
 * The callback queue in Redis: which pushes report their final status to a {@code callbackUrl}
 * (their status hash holds the URL, the signing key's fingerprint and the attempts), and one
 * sorted set per app of those still to report, by next attempt (a requestId is its app's: the app
 * of the queue names the push). Its writes to a status hash never
 * bring back one that has expired ({@code callback-fields.lua}): a key without a TTL would stay for
 * good. Thread-safe; blocking.
 */
public final class PushCallbacks {
  private static final RedisScript CLAIM_CALLBACKS = RedisScript.load(PushCallbacks.class, "callback-claim.lua");
  private static final RedisScript FIELDS = RedisScript.load(PushCallbacks.class, "callback-fields.lua");

  private final UnifiedJedis redis;
  private final RedisKeys keys;
  private final Clock clock;

  public PushCallbacks(UnifiedJedis redis, RedisKeys keys, Clock clock) {
    this.redis = redis;
    this.keys = keys;
    this.clock = clock;
  }

  /**
   * Remembers that the final status of a push goes to {@code url}, signed with the key of
   * fingerprint {@code keyFingerprint}, and puts it in its app's callback queue (polled until the
   * push is final). Idempotent.
   */
  public void expectCallback(String appId, String requestId, String url, String keyFingerprint) {
    StoreUnavailableException.around("queueing the callback of push " + requestId, () -> {
      setFields(appId, requestId, "set", "cb", url, "cbKey", keyFingerprint);
      redis.zadd(keys.callbacks(appId), clock.millis(), requestId, ZAddParams.zAddParams().nx());
      return null;
    });
  }

  /** A push's callback as it stands. */
  public record Callback(String url, String keyFingerprint, int attempts, Long finalSinceMs, String state) {}

  /** The callback of a push, if it has one. */
  public Optional<Callback> callback(String appId, String requestId) {
    List<String> v = redis.hmget(keys.pushStatus(appId, requestId), "cb", "cbKey", "cbAttempts", "cbFinalAt", "cbState");
    if (v.get(0) == null) return Optional.empty();
    return Optional.of(new Callback(v.get(0), v.get(1), v.get(2) == null ? 0 : Integer.parseInt(v.get(2)),
        v.get(3) == null ? null : Long.parseLong(v.get(3)), v.get(4)));
  }

  /** Claims up to {@code limit} due callbacks of {@code appId} for {@code lease} (see {@code callback-claim.lua}). */
  @SuppressWarnings("unchecked")
  public List<String> claimCallbacks(String appId, Duration lease, int limit) {
    return (List<String>) CLAIM_CALLBACKS.eval(redis, List.of(keys.callbacks(appId)),
        List.of(Long.toString(clock.millis()), Long.toString(lease.toMillis()), Integer.toString(limit)));
  }

  /**
   * Records when a push was first seen final by the dispatcher (its 24 h of retries count from
   * then); returns that time (now, when the status has expired meanwhile).
   */
  public long callbackFinalSince(String appId, String requestId) {
    String now = Long.toString(clock.millis());
    setFields(appId, requestId, "setnx", "cbFinalAt", now);
    String since = redis.hget(keys.pushStatus(appId, requestId), "cbFinalAt");
    return Long.parseLong(since == null ? now : since);
  }

  /** The next attempt of a callback, after {@code attempts} failed ones. */
  public void retryCallback(String appId, String requestId, int attempts, long atMs) {
    setFields(appId, requestId, "set", "cbAttempts", Integer.toString(attempts));
    redis.zadd(keys.callbacks(appId), atMs, requestId, ZAddParams.zAddParams().xx());
  }

  /** Polls a callback again at {@code atMs} (its push is not final yet). */
  public void callbackLater(String appId, String requestId, long atMs) {
    redis.zadd(keys.callbacks(appId), atMs, requestId, ZAddParams.zAddParams().xx());
  }

  /** Ends a callback: {@code delivered} or {@code gave_up} (with its attempts); an expired status stays gone. */
  public void endCallback(String appId, String requestId, String state, int attempts) {
    setFields(appId, requestId, "set", "cbState", state, "cbAttempts", Integer.toString(attempts));
    redis.zrem(keys.callbacks(appId), requestId);
  }

  /** Writes {@code fieldsAndValues} into the push's status hash ({@code mode} set or setnx) if it still exists. */
  private void setFields(String appId, String requestId, String mode, String... fieldsAndValues) {
    List<String> args = new java.util.ArrayList<>(fieldsAndValues.length + 1);
    args.add(mode);
    args.addAll(List.of(fieldsAndValues));
    FIELDS.eval(redis, List.of(keys.pushStatus(appId, requestId)), args);
  }

}
