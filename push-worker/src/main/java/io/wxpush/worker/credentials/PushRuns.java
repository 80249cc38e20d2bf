package io.wxpush.worker.credentials;

import io.wxpush.redis.RedisConnections;
import io.wxpush.redis.RedisKeys;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.UnifiedJedis;

/**
 * Which push a run id in a user's send ledger belongs to ({@code l<run>} entries name the push by
 * its short run id, not its requestId): found by reading the app's recent pushes' stamps ({@code run},
 * {@code templateId}, {@code until}, {@code buckets} in each status), newest first, and cached per
 * process (a push's stamp never changes). A retry round's run ({@code <run>.<round>}) is its push's.
 * Bounded: {@value #MAX_CACHED} runs cached, a run not found is not looked for again for a minute.
 * Thread-safe; blocking.
 */
final class PushRuns {
  /** One push's stamp, as a ledger entry needs it. */
  record Run(String requestId, String templateId, long untilMs, int buckets) {}

  /** Oldest run first: runs are issued by the app's counter (base 36), a retry round after its push's run. */
  static final Comparator<String> OLDEST_FIRST = Comparator.comparingLong((String r) -> number(base(r)))
      .thenComparingLong(r -> r.indexOf('.') < 0 ? 0 : number(r.substring(r.indexOf('.') + 1)));

  static final int MAX_CACHED = 50_000;
  private static final int PAGE = 256;
  private static final Duration MISS_MEMORY = Duration.ofMinutes(1);

  private final UnifiedJedis redis;
  private final RedisKeys keys;
  private final Clock clock;
  private final Map<String, Run> cache = new ConcurrentHashMap<>();
  private final Map<String, Long> misses = new ConcurrentHashMap<>();

  PushRuns(UnifiedJedis redis, RedisKeys keys, Clock clock) {
    this.redis = redis;
    this.keys = keys;
    this.clock = clock;
  }

  /** The push of {@code runId} in {@code appId}; empty when none of the app's listed pushes was stamped with it. */
  Optional<Run> of(String appId, String runId) {
    String key = appId + " " + base(runId);
    Run hit = cache.get(key);
    if (hit != null) return Optional.of(hit);
    long now = clock.millis();
    Long missed = misses.get(key);
    if (missed != null && now - missed < MISS_MEMORY.toMillis()) return Optional.empty();
    scan(appId, base(runId));
    hit = cache.get(key);
    if (hit == null) {
      if (misses.size() >= MAX_CACHED) misses.clear();
      misses.put(key, now);
    }
    return Optional.ofNullable(hit);
  }

  /** Reads the app's pushes, newest first, caching every stamp seen, until {@code wanted}'s is found. */
  private void scan(String appId, String wanted) {
    for (long from = 0; ; from += PAGE) {
      List<String> ids = redis.zrevrange(keys.pushList(appId), from, from + PAGE - 1);
      if (ids.isEmpty()) return;
      List<Response<List<String>>> stamps = new ArrayList<>();
      try (AbstractPipeline p = RedisConnections.pipelined(redis)) {
        for (String rid : ids) stamps.add(p.hmget(keys.pushStatus(appId, rid), "run", "templateId", "until", "buckets"));
        p.sync();
      }
      boolean found = false;
      for (int i = 0; i < ids.size(); i++) {
        List<String> v = stamps.get(i).get();
        if (v.get(0) == null || v.get(1) == null || v.get(2) == null || v.get(3) == null) continue; // not started, or gone
        if (cache.size() >= MAX_CACHED) cache.clear();
        cache.put(appId + " " + v.get(0), new Run(ids.get(i), v.get(1), Long.parseLong(v.get(2)), Integer.parseInt(v.get(3))));
        found |= v.get(0).equals(wanted);
      }
      if (found || ids.size() < PAGE) return;
    }
  }

  static String base(String runId) {
    int dot = runId.indexOf('.');
    return dot < 0 ? runId : runId.substring(0, dot);
  }

  private static long number(String base36) {
    try {
      return Long.parseLong(base36, Character.MAX_RADIX);
    } catch (NumberFormatException e) {
      return Long.MAX_VALUE;
    }
  }
}
