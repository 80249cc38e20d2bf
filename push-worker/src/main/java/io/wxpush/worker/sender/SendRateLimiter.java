package io.wxpush.worker.sender;

import java.time.Clock;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.UnifiedJedis;

/**
 * A fleet-wide limit on sends per second per app, counted in Redis one second at a time, so
 * that any number of senders together stay under it. A limit of 0 turns it off. Thread-safe;
 * {@link #acquire} blocks until the send may go.
 */
public final class SendRateLimiter {
  private final UnifiedJedis redis;
  private final String prefix;
  private final int perSecond;
  private final Clock clock;

  public SendRateLimiter(UnifiedJedis redis, String prefix, int perSecond, Clock clock) {
    this.redis = redis;
    this.prefix = prefix;
    this.perSecond = perSecond;
    this.clock = clock;
  }

  public void acquire(String appId) throws InterruptedException {
    if (perSecond <= 0) return;
    while (true) {
      long now = clock.millis();
      long second = now / 1000;
      String key = prefix + "rate{" + appId + "}:" + second;
      Response<Long> count;
      try (AbstractPipeline p = redis.pipelined()) {
        count = p.incr(key);
        p.expire(key, 5);
        p.sync();
      }
      if (count.get() <= perSecond) return;
      Thread.sleep(Math.max(1, (second + 1) * 1000 - now));
    }
  }
}
