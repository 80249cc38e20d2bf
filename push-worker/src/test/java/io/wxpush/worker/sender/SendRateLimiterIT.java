package io.wxpush.worker.sender;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.wxpush.quota.Quota;
import io.wxpush.quota.QuotaStore;
import io.wxpush.redis.RedisConnections;
import io.wxpush.redis.RedisEndpoint;
import io.wxpush.redis.RedisKeys;
import io.wxpush.testkit.RealServices;
import io.wxpush.testkit.TestEnv;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.UnifiedJedis;

/** The senders' rate per app on a real Redis: {@code SEND_RATE_PER_APP}, else the rate WeChat reported ({@code quota/get}). */
@ExtendWith(RealServices.class)
class SendRateLimiterIT {
  private static final String APP = "wxapp1";
  private final Clock clock = Clock.systemUTC();
  private UnifiedJedis redis;
  private RedisKeys keys;

  @BeforeEach
  void open(TestEnv env) {
    redis = RedisConnections.open(RedisEndpoint.parse(env.redisUrl()), 8);
    keys = new RedisKeys(env.redisKeyPrefix());
  }

  @AfterEach
  void close() {
    redis.del(keys.quota(APP));
    redis.close();
  }

  private void reported(long callCount, long refreshSeconds) {
    new QuotaStore(redis, keys).store(APP, new Quota(10_000_000, 0, 10_000_000,
        Optional.of(new Quota.RateLimit(callCount, refreshSeconds)), clock.millis()), Duration.ofMinutes(30));
  }

  /** Permits taken at once (no waiting past the current second's end). */
  private int permitsWithinASecond(SendRateLimiter limiter) throws InterruptedException {
    // start right after a second begins, so the second holds the whole run
    await().atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(1)).until(() -> clock.millis() % 1000 < 10);
    long endOfSecond = clock.millis() - clock.millis() % 1000 + 1000;
    int permits = 0;
    for (int i = 0; i < 1000; i++) {
      long giveUp = System.nanoTime() + Duration.ofMillis(endOfSecond - clock.millis()).toNanos();
      if (!limiter.acquire(APP, giveUp)) break;
      if (clock.millis() >= endOfSecond) break;
      permits++;
    }
    return permits;
  }

  @Test
  void withoutSendRatePerAppTheRateWeChatReportedIsKeptWithHeadroomAndSpreadOverTheSecond() throws Exception {
    reported(200, 1);
    SendRateLimiter limiter = new SendRateLimiter(redis, keys, 0, clock);

    assertThat(limiter.limit(APP)).isEqualTo(new SendRateLimiter.Limit(180, true));
    int permits = permitsWithinASecond(limiter);
    assertThat(permits).isBetween(150, 180);
  }

  @Test
  void sendRatePerAppWinsOverTheReportedRate() {
    reported(200, 1);
    assertThat(new SendRateLimiter(redis, keys, 50, clock).limit(APP)).isEqualTo(new SendRateLimiter.Limit(50, false));
  }

  @Test
  void aRateOverSeveralSecondsIsKeptPerSecondAndNoRateMeansNoLimit() {
    reported(600, 60);
    assertThat(new SendRateLimiter(redis, keys, 0, clock).limit(APP)).isEqualTo(new SendRateLimiter.Limit(9, true));
    redis.del(keys.quota(APP));
    assertThat(new SendRateLimiter(redis, keys, 0, clock).limit(APP)).isEqualTo(SendRateLimiter.Limit.NONE);
  }
}
