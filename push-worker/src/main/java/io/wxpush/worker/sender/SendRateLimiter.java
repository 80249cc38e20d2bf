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
 * none while WeChat reported none.
 *
 * <p>WeChat's rate limit is a wall (45011 past it) counted by its own clock, which a send reaches
 * some milliseconds after its permit: a second's permits all taken at its start would land partly
 * in WeChat's next second on a busy sender. So a reported rate is kept with headroom
 * ({@value #REPORTED_SHARE_PERCENT} % of it) and paced: the n-th permit of a second waits for its
 * slot, n/limit into the second, so the sends of the fleet arrive spread over it.
 * {@code SEND_RATE_PER_APP}, the operator's own number, is kept as set, unpaced. Thread-safe;
 * {@link #acquire} blocks until the send may go, or until its deadline.
 */
final class SendRateLimiter {
  /** How long this process reuses the rate it read of an app from the {@link QuotaStore}. */
  static final Duration REPORTED_TTL = Duration.ofSeconds(5);
  /** The share of WeChat's reported rate the senders use. */
  static final int REPORTED_SHARE_PERCENT = 90;

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

  /** How an app's sends are limited: sends per second, and whether permits are paced over the second. */
  record Limit(int perSecond, boolean paced) {
    static final Limit NONE = new Limit(0, false);
  }

  /** The app's limit: {@code SEND_RATE_PER_APP}, else WeChat's reported rate (with headroom, paced), else none. */
  Limit limit(String appId) {
    if (perSecond > 0) return new Limit(perSecond, false);
    int wechat = reported.get(appId, app -> quotas.read(app).flatMap(Quota::rateLimit).map(Quota.RateLimit::perSecond).orElse(0));
    return wechat <= 0 ? Limit.NONE : new Limit((int) Math.max(1, (long) wechat * REPORTED_SHARE_PERCENT / 100), true);
  }

  /**
   * Waits for a send permit of {@code appId}.
   *
   * @param giveUpNanos {@link System#nanoTime()} after which it stops waiting
   * @return true with a permit, false when the wait would pass {@code giveUpNanos}
   */
  boolean acquire(String appId, long giveUpNanos) throws InterruptedException {
    Limit limit = limit(appId);
    if (limit.perSecond() <= 0) return true;
    while (true) {
      RedisWindowCounter.Count count = counter.increment(keys.sendRate(appId));
      if (count.value() <= limit.perSecond()) {
        if (limit.paced()) {
          long slot = count.windowEndsAtMs() - 1000 + (count.value() - 1) * 1000 / limit.perSecond();
          long waitMs = slot - clock.millis();
          if (waitMs > 0) Thread.sleep(waitMs); // within this second: its permit is taken
        }
        return true;
      }
      long waitMs = Math.max(1, count.windowEndsAtMs() - clock.millis()); // try again in the next second
      if (System.nanoTime() + waitMs * 1_000_000 > giveUpNanos) return false;
      Thread.sleep(waitMs);
    }
  }
}
