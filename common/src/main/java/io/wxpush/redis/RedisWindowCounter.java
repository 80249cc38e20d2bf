package io.wxpush.redis;

import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.UnifiedJedis;

/**
 * Counts events per fixed time window in Redis, shared by every process that counts under the
 * same key: the basis of wxpush's fleet-wide rate limits. One round trip per count (a pipelined
 * {@code INCR} and {@code EXPIRE}), or one per batch of counts gathered elsewhere
 * ({@link #addAll}); the key is kept two windows long. Thread-safe; blocking.
 */
public final class RedisWindowCounter {
  private final UnifiedJedis redis;
  private final Duration window;
  private final Clock clock;

  public RedisWindowCounter(UnifiedJedis redis, Duration window, Clock clock) {
    if (window.toMillis() < 1) throw new IllegalArgumentException("window must be at least 1 ms");
    this.redis = redis;
    this.window = window;
    this.clock = clock;
  }

  /** The current window's count and when it ends. */
  public record Count(long value, long windowEndsAtMs) {}

  /**
   * Adds one to {@code keyBase}'s count in the current window and returns the new count.
   *
   * @param keyBase the key without the window suffix; on a cluster its hash tag picks the slot
   */
  public Count increment(String keyBase) {
    long now = clock.millis();
    long index = now / window.toMillis();
    String key = RedisKeys.inWindow(keyBase, index);
    Response<Long> count;
    try (AbstractPipeline p = RedisConnections.pipelined(redis)) {
      count = p.incr(key);
      p.pexpire(key, 2 * window.toMillis());
      p.sync();
    }
    return new Count(count.get(), (index + 1) * window.toMillis());
  }

  /** The index of the window {@code epochMs} falls in (the same for every process). */
  public long windowIndex(long epochMs) {
    return epochMs / window.toMillis();
  }

  /**
   * Adds counts gathered elsewhere (say, in memory between two flushes) to window
   * {@code windowIndex}, all in one pipelined round trip ({@code INCRBY} and {@code PEXPIRE} per
   * key), and returns each key's new fleet-wide count.
   *
   * @param deltas keyBase → how many to add (≥ 1); each key keeps its own hash tag on a cluster
   */
  public Map<String, Long> addAll(long windowIndex, Map<String, Long> deltas) {
    Map<String, Response<Long>> replies = new LinkedHashMap<>();
    try (AbstractPipeline p = RedisConnections.pipelined(redis)) {
      for (Map.Entry<String, Long> d : deltas.entrySet()) {
        String key = RedisKeys.inWindow(d.getKey(), windowIndex);
        replies.put(d.getKey(), p.incrBy(key, d.getValue()));
        p.pexpire(key, 2 * window.toMillis());
      }
      p.sync();
    }
    Map<String, Long> counts = new LinkedHashMap<>();
    replies.forEach((k, r) -> counts.put(k, r.get()));
    return counts;
  }
}
