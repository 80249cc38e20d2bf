package io.wxpush.ingest.credentials;

import io.wxpush.credentials.UserRef;
import io.wxpush.redis.RedisWindowCounter;
import java.time.Clock;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.UnifiedJedis;

/**
 * Limits uploads per user per minute across every ingest-api instance (a fixed one-minute
 * window counted in Redis, in the user's hash slot). Fails open: when Redis does not answer,
 * uploads go on (Kafka is what must not lose them). Thread-safe.
 */
public final class UploadRateLimiter {
  private static final Logger log = LoggerFactory.getLogger(UploadRateLimiter.class);

  private final RedisWindowCounter counter;
  private final String prefix;
  private final int perMinute;

  public UploadRateLimiter(UnifiedJedis redis, String prefix, int perMinute, Clock clock) {
    this.counter = new RedisWindowCounter(redis, Duration.ofMinutes(1), clock);
    this.prefix = prefix;
    this.perMinute = perMinute;
  }

  /** Counts one upload; true when the user is still within the limit. */
  public boolean tryAcquire(UserRef user) {
    try {
      return counter.increment(prefix + "u" + user.hashTag() + ":uploads").value() <= perMinute;
    } catch (RuntimeException e) {
      log.warn("event=rate_limit_unavailable error={}", e.getClass().getSimpleName());
      return true;
    }
  }
}
