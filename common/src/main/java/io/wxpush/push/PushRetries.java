package io.wxpush.push;

import io.wxpush.client.PushRequest;
import io.wxpush.json.Json;
import io.wxpush.redis.RedisKeys;
import io.wxpush.redis.StoreUnavailableException;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import redis.clients.jedis.UnifiedJedis;

/**
 * What {@code POST /v1/pushes/{id}/retry} needs in Redis: the push's message (its request without
 * the audience), the set of its users dead-lettered surely unsent, and its retry rounds. All in
 * the push's slot. Thread-safe; blocking.
 */
public final class PushRetries {
  private static final Duration RETENTION = PushStatusStore.RETENTION;

  private final UnifiedJedis redis;
  private final RedisKeys keys;
  private final PushLifecycle lifecycle;

  PushRetries(UnifiedJedis redis, RedisKeys keys, PushLifecycle lifecycle) {
    this.redis = redis;
    this.keys = keys;
    this.lifecycle = lifecycle;
  }

  /** Keeps the push's message (the request without its audience) for retries. */
  public void rememberMessage(PushRequest push) {
    PushRequest message = new PushRequest(push.v(), push.requestId(), push.appId(), push.kind(), push.templateId(), push.page(), push.data(),
        push.emphasisKeyword(), push.miniprogramState(), push.lang(), null, push.notAfter(), null, null, push.priority());
    String marker = keys.pushRequest(push.appId(), push.requestId());
    redis.hset(marker, "m", Json.writeString(message));
    if (redis.pttl(marker) < 0) redis.pexpire(marker, RETENTION.toMillis());
  }

  /** The push's message, for a retry round. */
  public Optional<PushRequest> message(PushId id) {
    String m = redis.hget(keys.pushRequest(id.appId(), id.requestId()), "m");
    if (m == null) return Optional.empty();
    try {
      return Optional.of(Json.MAPPER.readValue(m, PushRequest.class));
    } catch (IOException e) {
      throw new IllegalStateException("unreadable message of push " + id, e);
    }
  }

  /** Remembers a user whose task went to the DLQ and surely did not reach WeChat. */
  public void markRetryable(PushId id, String openId) {
    String key = keys.pushRetryable(id.appId(), id.requestId());
    redis.sadd(key, openId);
    if (redis.pttl(key) < 0) redis.pexpire(key, RETENTION.toMillis());
  }

  /** How many users a retry would send to now. */
  public long retryable(PushId id) {
    return StoreUnavailableException.around("reading push " + id, () -> redis.scard(keys.pushRetryable(id.appId(), id.requestId())));
  }

  /** A new retry round of a push: its number (1, 2, …). */
  public long nextRetryRound(PushId id) {
    return StoreUnavailableException.around("retrying push " + id, () -> redis.hincrBy(keys.pushStatus(id.appId(), id.requestId()), "retries", 1));
  }

  /** Up to {@code limit} retryable users of a push (they stay until {@link #retried}). */
  public List<String> retryablePage(PushId id, int limit) {
    return redis.srandmember(keys.pushRetryable(id.appId(), id.requestId()), limit);
  }

  /**
   * Takes back the failed outcomes of {@code openIds} before their retry tasks are published
   * ({@link PushTransition#RETRY_ROUND}); returns how many, or -1 when the push may not be retried
   * (cancelled, failed as a request, or never started: nothing changed).
   */
  public long resetForRetry(PushId id, int outcomeBuckets, List<String> openIds) {
    return lifecycle.retryRound(id, outcomeBuckets, openIds);
  }

  /** {@code openIds} have their retry tasks published. */
  public void retried(PushId id, List<String> openIds) {
    if (!openIds.isEmpty()) redis.srem(keys.pushRetryable(id.appId(), id.requestId()), openIds.toArray(String[]::new));
  }

  /** The run stamp of a retry round: the push's own id and buckets, a round suffix, a fresh horizon. */
  public PushRun retryRun(PushId id, long round, Duration grace) {
    List<String> v = redis.hmget(keys.pushStatus(id.appId(), id.requestId()), "run", "buckets");
    if (v.get(0) == null) throw new IllegalStateException("push " + id + " never started: nothing to retry");
    long now = Long.parseLong((String) redis.eval("return redis.call('TIME')[1]", List.of(keys.pushStatus(id.appId(), id.requestId())), List.of())) * 1000;
    return new PushRun(v.get(0) + "." + round, now + grace.toMillis(), Integer.parseInt(v.get(1)));
  }

}
