package io.wxpush.worker.sender;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.wxpush.quota.Quota;
import io.wxpush.quota.QuotaStore;
import io.wxpush.redis.RedisKeys;
import io.wxpush.redis.RedisWindowCounter;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import redis.clients.jedis.UnifiedJedis;

/**
 * A fleet-wide limit on sends per second per app, counted in Redis one second at a time, so
 * that any number of senders together stay under it. The limit is {@code SEND_RATE_PER_APP};
 * when that is 0 (not set), it is the rate WeChat reported for the app ({@code quota/get}'s
 * {@code rate_limit}, as {@link QuotaStore} holds it, re-read every {@link #REPORTED_TTL}), and
 * none while WeChat reported none. Thread-safe; {@link #acquire} blocks until the send may go, or
 * until its deadline.
 */
final class SendRateLimiter {
  /** How long this process reuses the rate it read of an app from the {@link QuotaStore}. */
  static final Duration REPORTED_TTL = Duration.ofSeconds(5);

  private final RedisWindowCounter counter;
  private final RedisKeys keys;
  private final int perSecond;
  private final QuotaStore quotas;
  private final Cache<String, Integer> reported;
  private final Clock clock;

  /** @param perSecond {@code SEND_RATE_PER_APP}; 0 keeps to WeChat's reported rate */
  SendRateLimiter(UnifiedJedis redis, RedisKeys keys, int perSecond, Clock clock) {
    this.counter = new RedisWindowCounter(redis, Duration.ofSeconds(1), clock);
    this.keys = keys;
    this.perSecond = perSecond;
    this.quotas = new QuotaStore(redis, keys);
    this.reported = Caffeine.newBuilder()
        .expireAfterWrite(REPORTED_TTL)
        .ticker(() -> TimeUnit.MILLISECONDS.toNanos(clock.millis()))
        .maximumSize(10_000)
        .build();
    this.clock = clock;
  }

  /** The app's sends per second: {@code SEND_RATE_PER_APP}, else WeChat's reported rate, else 0 (none). */
  int limit(String appId) {
    if (perSecond > 0) return perSecond;
    return reported.get(appId, app -> quotas.read(app).flatMap(Quota::rateLimit).map(Quota.RateLimit::perSecond).orElse(0));
  }

  /**
   * Waits for a send permit of {@code appId}.
   *
   * @param giveUpNanos {@link System#nanoTime()} after which it stops waiting
   * @return true with a permit, false when the wait would pass {@code giveUpNanos}
   */
  boolean acquire(String appId, long giveUpNanos) throws InterruptedException {
    int limit = limit(appId);
    if (limit <= 0) return true;
    while (true) {
      RedisWindowCounter.Count count = counter.increment(keys.sendRate(appId));
      if (count.value() <= limit) return true;
      long waitMs = Math.max(1, count.windowEndsAtMs() - clock.millis()); // try again in the next second
      if (System.nanoTime() + waitMs * 1_000_000 > giveUpNanos) return false;
      Thread.sleep(waitMs);
    }
  }
}
