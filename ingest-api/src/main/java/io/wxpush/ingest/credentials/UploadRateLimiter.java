package io.wxpush.ingest.credentials;

import io.wxpush.user.UserRef;
import io.wxpush.redis.RedisKeys;
import io.wxpush.redis.RedisWindowCounter;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.UnifiedJedis;

/**
 * Limits uploads per user per minute across every ingest-api instance without a Redis round trip
 * on the request path. Each instance counts a user's uploads in memory, in the same fixed
 * one-minute windows as every other instance, and admits an upload while its own count plus the
 * other instances' count (as last read from Redis) is within the limit. A background thread adds
 * the new counts to the shared Redis counter (a key in the user's hash slot) every
 * {@code syncInterval}, all in one pipelined round trip, and reads back the fleet's totals.
 *
 * <p>Tolerance: one instance alone enforces the limit exactly. Across instances, what the others
 * admitted during the last sync interval plus one Redis round trip is not seen yet, so a user
 * whose uploads are spread over several instances may get that many uploads over the limit in a
 * window (at most {@code limit × (syncInterval + round trip) / window} per other instance for a
 * client sending at the limit's pace; a burst sent to all instances within one interval is seen
 * a sync later). Fails open as before: while Redis does not answer, each instance limits by its
 * own count, and the counts reach Redis once it answers again.
 *
 * <p>Thread-safe; {@link #tryAcquire} never blocks. Close to stop the sync thread (it syncs a
 * last time).
 */
public final class UploadRateLimiter implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(UploadRateLimiter.class);
  /** The counting window. */
  public static final Duration WINDOW = Duration.ofMinutes(1);
  /** How often the counts are added to Redis by default. */
  public static final Duration DEFAULT_SYNC_INTERVAL = Duration.ofMillis(100);

  /** The shared counter: adds counts to a window's keys and returns each key's new total. */
  interface FleetCounter {
    Map<String, Long> addAll(long windowIndex, Map<String, Long> deltas);
  }

  private final FleetCounter fleet;
  private final RedisKeys keys;
  private final int perMinute;
  private final Clock clock;
  private final long windowMs = WINDOW.toMillis();
  private final ConcurrentHashMap<UserRef, UserWindow> windows = new ConcurrentHashMap<>();
  private final ConcurrentLinkedQueue<UserWindow> unsynced = new ConcurrentLinkedQueue<>();
  private final ScheduledExecutorService syncer;
  private long lastSweptWindow;
  private boolean failing;

  /** Counts in Redis, synced every {@code syncInterval} by a daemon thread this limiter owns. */
  public UploadRateLimiter(UnifiedJedis redis, RedisKeys keys, int perMinute, Clock clock, Duration syncInterval) {
    this(new RedisWindowCounter(redis, WINDOW, clock)::addAll, keys, perMinute, clock, syncInterval);
  }

  /** Counts in {@code fleet}, synced every {@code syncInterval} by a daemon thread this limiter owns. */
  UploadRateLimiter(FleetCounter fleet, RedisKeys keys, int perMinute, Clock clock, Duration syncInterval) {
    this.fleet = fleet;
    this.keys = keys;
    this.perMinute = perMinute;
    this.clock = clock;
    this.syncer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "upload-limit-sync");
      t.setDaemon(true);
      return t;
    });
    this.lastSweptWindow = clock.millis() / windowMs;
    syncer.scheduleWithFixedDelay(this::sync, syncInterval.toMillis(), syncInterval.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** One user's uploads in one window, as counted here, and what the rest of the fleet counted. */
  private static final class UserWindow {
    final UserRef user;
    final long index;
    /** Uploads this instance counted in the window (admitted or not). */
    final AtomicLong counted = new AtomicLong();
    /** True while queued for the next sync. */
    final AtomicBoolean queued = new AtomicBoolean();
    /** How many of {@link #counted} Redis has; written by the sync thread only. */
    long synced;
    /** The other instances' count as of the last sync. */
    volatile long others;

    UserWindow(UserRef user, long index) {
      this.user = user;
      this.index = index;
    }
  }

  /** Counts one upload; true when the user is still within the limit. Never blocks. */
  public boolean tryAcquire(UserRef user) {
    long index = clock.millis() / windowMs;
    UserWindow w = windows.get(user);
    if (w == null || w.index < index) {
      w = windows.compute(user, (u, old) -> old != null && old.index >= index ? old : new UserWindow(u, index));
    }
    long mine = w.counted.incrementAndGet();
    if (!w.queued.get() && w.queued.compareAndSet(false, true)) unsynced.add(w);
    return w.others + mine <= perMinute;
  }

  /** Adds the counts gathered since the last sync to Redis and reads back the fleet's totals. */
  private void sync() {
    try {
      long current = clock.millis() / windowMs;
      Map<Long, List<UserWindow>> byWindow = new HashMap<>();
      for (UserWindow w; (w = unsynced.poll()) != null; ) {
        w.queued.set(false); // before reading counted: a later upload queues it again
        if (w.index >= current - 1) byWindow.computeIfAbsent(w.index, i -> new ArrayList<>()).add(w);
      }
      byWindow.forEach(this::syncWindow);
      if (current != lastSweptWindow) {
        // Finished windows are dropped once Redis has them, and after two windows in any case
        // (the Redis key is gone by then too).
        windows.values().removeIf(w -> w.index < current - 1 || (w.index < current && !w.queued.get() && w.synced == w.counted.get()));
        lastSweptWindow = current;
      }
    } catch (RuntimeException e) {
      log.error("event=rate_limit_sync_error error={}", e.toString(), e);
    }
  }

  private void syncWindow(long index, List<UserWindow> batch) {
    Map<String, Long> deltas = new HashMap<>();
    Map<String, Long> countedNow = new HashMap<>();
    for (UserWindow w : batch) {
      long counted = w.counted.get();
      if (counted > w.synced) {
        String key = key(w.user);
        deltas.put(key, counted - w.synced);
        countedNow.put(key, counted);
      }
    }
    if (deltas.isEmpty()) return;
    Map<String, Long> totals;
    try {
      totals = fleet.addAll(index, deltas);
    } catch (RuntimeException e) {
      if (!failing) log.warn("event=rate_limit_unavailable error={}", e.getClass().getSimpleName());
      failing = true;
      for (UserWindow w : batch) if (w.queued.compareAndSet(false, true)) unsynced.add(w); // try again next time
      return;
    }
    if (failing) log.info("event=rate_limit_available");
    failing = false;
    for (UserWindow w : batch) {
      String key = key(w.user);
      Long total = totals.get(key);
      if (total == null) continue;
      w.synced = countedNow.get(key);
      w.others = Math.max(0, total - w.synced);
    }
  }

  private String key(UserRef user) {
    return keys.uploads(user);
  }

  /** Stops the sync thread, then syncs a last time. */
  @Override
  public void close() {
    syncer.shutdown();
    try {
      syncer.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    sync();
  }
}
