package io.wxpush.fleet;

import io.wxpush.redis.RedisKeys;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.UnifiedJedis;

/**
 * A process's heartbeat for the console's fleet page: every {@value #EVERY_MS} ms it writes its
 * role, version, start time, consumer loops up, and sends per second over the last minute to a
 * Redis hash that lives {@value #TTL_MS} ms ({@link RedisKeys#heartbeat}), and its id to the
 * fleet's list ({@link RedisKeys#fleet}), from which readers drop what stopped beating. A missed
 * write (Redis away) is only a gap on the page. Close to stop (its hash then expires).
 */
public final class Heartbeat implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Heartbeat.class);
  public static final long EVERY_MS = 5_000;
  public static final long TTL_MS = 20_000;

  private final UnifiedJedis redis;
  private final RedisKeys keys;
  private final Clock clock;
  private final String id;
  private final String role;
  private final long startedAt;
  private final Supplier<int[]> loops;
  private final LongSupplier sends;
  private final ArrayDeque<long[]> samples = new ArrayDeque<>();
  private final ScheduledExecutorService timer;

  /**
   * @param role what the process is: {@code ingest-api}, or a push-worker's roles
   * @param loops {up, all} consumer loops
   * @param sends WeChat sends so far (a counter), for the rate
   */
  public Heartbeat(UnifiedJedis redis, RedisKeys keys, Clock clock, String role, Supplier<int[]> loops, LongSupplier sends) {
    this.redis = redis;
    this.keys = keys;
    this.clock = clock;
    this.role = role;
    this.loops = loops;
    this.sends = sends;
    this.startedAt = clock.millis();
    this.id = role.replaceAll("[^A-Za-z0-9]+", "-") + "-" + ProcessHandle.current().pid() + "-"
        + Long.toString(ThreadLocalRandom.current().nextLong(1L << 40), 36);
    this.timer = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("heartbeat").daemon().factory());
    timer.scheduleWithFixedDelay(this::beat, 0, EVERY_MS, TimeUnit.MILLISECONDS);
  }

  /** This process's id on the fleet page. */
  public String id() {
    return id;
  }

  /** The version of wxpush this process runs (its jar's, or {@code dev} from classes). */
  public static String version() {
    String v = Heartbeat.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }

  synchronized void beat() {
    try {
      long now = clock.millis();
      long total = sends.getAsLong();
      samples.addLast(new long[] {now, total});
      while (samples.size() > 2 && now - samples.peekFirst()[0] > 60_000) samples.removeFirst();
      long[] first = samples.peekFirst();
      double rate = now > first[0] ? (total - first[1]) * 1000.0 / (now - first[0]) : 0;
      int[] l = loops.get();
      Map<String, String> fields = new LinkedHashMap<>();
      fields.put("role", role);
      fields.put("version", version());
      fields.put("startedAt", Long.toString(startedAt));
      fields.put("lastSeen", Long.toString(now));
      fields.put("loopsUp", Integer.toString(l[0]));
      fields.put("loops", Integer.toString(l[1]));
      fields.put("sendsPerSecond", String.format(Locale.ROOT, "%.1f", rate));
      String key = keys.heartbeat(id);
      redis.hset(key, fields);
      redis.pexpire(key, TTL_MS);
      redis.zadd(keys.fleet(), now, id);
    } catch (RuntimeException e) {
      log.debug("event=heartbeat_skipped error={}", e.toString());
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
    try {
      redis.zrem(keys.fleet(), id);
      redis.del(keys.heartbeat(id));
    } catch (RuntimeException e) { // Redis away: the hash expires, readers drop the id
      log.debug("event=heartbeat_unregister_failed error={}", e.toString());
    }
  }

  /** The fleet as the heartbeats tell it: one map per live process, oldest first; ids whose heartbeat expired are dropped. */
  public static List<Map<String, Object>> fleet(UnifiedJedis redis, RedisKeys keys, Clock clock) {
    long now = clock.millis();
    redis.zremrangeByScore(keys.fleet(), Double.NEGATIVE_INFINITY, now - TTL_MS);
    List<Map<String, Object>> out = new ArrayList<>();
    for (String id : redis.zrange(keys.fleet(), 0, -1)) {
      Map<String, String> h = redis.hgetAll(keys.heartbeat(id));
      if (h.isEmpty()) continue;
      Map<String, Object> p = new LinkedHashMap<>();
      p.put("id", id);
      p.put("role", h.get("role"));
      p.put("version", h.get("version"));
      p.put("startedAt", Long.parseLong(h.getOrDefault("startedAt", "0")));
      p.put("lastSeen", Long.parseLong(h.getOrDefault("lastSeen", "0")));
      p.put("loopsUp", Integer.parseInt(h.getOrDefault("loopsUp", "0")));
      p.put("loops", Integer.parseInt(h.getOrDefault("loops", "0")));
      p.put("sendsPerSecond", Double.parseDouble(h.getOrDefault("sendsPerSecond", "0")));
      out.add(p);
    }
    out.sort(Comparator.comparing(m -> (Long) m.get("startedAt")));
    return out;
  }
}
