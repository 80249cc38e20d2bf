package io.wxpush.worker.sender;

import io.wxpush.redis.RedisKeys;
import io.wxpush.redis.RedisWindowCounter;
import java.time.Clock;
import java.time.Duration;
import redis.clients.jedis.UnifiedJedis;

/**
 * A fleet-wide limit on sends per second per app, counted in Redis one second at a time, so
 * that any number of senders together stay under it. A limit of 0 turns it off. Thread-safe;
 * {@link #acquire} blocks until the send may go, or until its deadline.
 */
final class SendRateLimiter {
  private final RedisWindowCounter counter;
  private final RedisKeys keys;
  private final int perSecond;
  private final Clock clock;

  SendRateLimiter(UnifiedJedis redis, RedisKeys keys, int perSecond, Clock clock) {
    this.counter = new RedisWindowCounter(redis, Duration.ofSeconds(1), clock);
    this.keys = keys;
    this.perSecond = perSecond;
    this.clock = clock;
  }

  /**
   * Waits for a send permit of {@code appId}.
   *
   * @param giveUpNanos {@link System#nanoTime()} after which it stops waiting
   * @return true with a permit, false when the wait would pass {@code giveUpNanos}
   */
  boolean acquire(String appId, long giveUpNanos) throws InterruptedException {
    if (perSecond <= 0) return true;
    while (true) {
      RedisWindowCounter.Count count = counter.increment(keys.sendRate(appId));
      if (count.value() <= perSecond) return true;
      long waitMs = Math.max(1, count.windowEndsAtMs() - clock.millis()); // try again in the next second
      if (System.nanoTime() + waitMs * 1_000_000 > giveUpNanos) return false;
      Thread.sleep(waitMs);
    }
  }
}
