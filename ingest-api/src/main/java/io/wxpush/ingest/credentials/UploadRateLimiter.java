package io.wxpush.ingest.credentials;

import io.wxpush.credentials.UserRef;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.UnifiedJedis;

/**
 * Limits uploads per user per minute across every ingest-api instance (a fixed one-minute
 * window counted in Redis, in the user's hash slot). Fails open: when Redis does not answer,
 * uploads go on (Kafka is what must not lose them). Thread-safe.
 */
public final class UploadRateLimiter {
  private static final Logger log = LoggerFactory.getLogger(UploadRateLimiter.class);

  private final UnifiedJedis redis;
  private final String prefix;
  private final int perMinute;
  private final Clock clock;

  public UploadRateLimiter(UnifiedJedis redis, String prefix, int perMinute, Clock clock) {
    this.redis = redis;
    this.prefix = prefix;
    this.perMinute = perMinute;
    this.clock = clock;
  }

  /** Counts one upload; true when the user is still within the limit. */
  public boolean tryAcquire(UserRef user) {
    long minute = clock.millis() / 60_000;
    String key = prefix + "u" + user.hashTag() + ":uploads:" + minute;
    try (AbstractPipeline p = redis.pipelined()) {
      Response<Long> count = p.incr(key);
      p.expire(key, 120);
      p.sync();
      return count.get() <= perMinute;
    } catch (RuntimeException e) {
      log.warn("event=rate_limit_unavailable error={}", e.getClass().getSimpleName());
      return true;
    }
  }
}
