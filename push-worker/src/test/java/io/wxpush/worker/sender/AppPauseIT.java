package io.wxpush.worker.sender;

import static org.assertj.core.api.Assertions.assertThat;

import io.wxpush.redis.RedisEndpoint;
import io.wxpush.redis.RedisConnections;
import io.wxpush.redis.RedisKeys;
import io.wxpush.testkit.RealServices;
import io.wxpush.testkit.TestEnv;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.UnifiedJedis;

/**
 * Issue 28 (the pause as one script): two senders (two {@link AppPause}s, as in two processes)
 * pausing one app on a real Redis keep whichever pause ends later, with its kind — a 45011 pause
 * never cuts short the 45009 pause another sender set a moment before.
 */
@ExtendWith(RealServices.class)
class AppPauseIT {
  private static final String APP = "wxapp1";
  private static final Duration QUOTA_RESET = Duration.ofHours(3); // until Beijing midnight
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
    redis.del(keys.pause(APP));
    redis.close();
  }

  private AppPause sender() {
    return new AppPause(redis, keys, clock);
  }

  @Test
  void aRateLimitAnsweredAfterAnotherSendersDailyQuotaLeavesTheAppPausedUntilTheQuotaResets() {
    AppPause first = sender();
    AppPause second = sender();
    assertThat(second.current(APP)).as("the second sender has just seen no pause").isEmpty();
    first.pause(APP, QUOTA_RESET, PauseKind.DAILY_QUOTA); // 45009
    second.pause(APP, Duration.ofSeconds(4), PauseKind.RATE_LIMIT); // 45011, a moment later, its read still fresh

    long quotaResets = clock.millis() + QUOTA_RESET.toMillis();
    AppPause.Pause seen = sender().current(APP).orElseThrow();
    assertThat(seen.kind()).as("the fleet sees the daily quota").isEqualTo(PauseKind.DAILY_QUOTA);
    assertThat(seen.untilMs()).as("until the quota resets").isBetween(quotaResets - 5_000, quotaResets);
    assertThat(redis.pttl(keys.pause(APP))).as("the stored pause lives until then").isGreaterThan(QUOTA_RESET.minusSeconds(5).toMillis());
    assertThat(second.current(APP).map(AppPause.Pause::kind)).as("and so does the sender that got the 45011")
        .contains(PauseKind.DAILY_QUOTA);
  }

  @Test
  void theLaterEndingPauseWinsWhicheverComesFirst() {
    AppPause a = sender();
    AppPause b = sender();
    a.pause(APP, Duration.ofSeconds(2), PauseKind.RATE_LIMIT);
    b.pause(APP, Duration.ofSeconds(4), PauseKind.RATE_LIMIT);
    assertThat(redis.pttl(keys.pause(APP))).as("a longer 45011 pause extends a shorter one").isGreaterThan(3_000);
    a.pause(APP, QUOTA_RESET, PauseKind.DAILY_QUOTA);
    assertThat(sender().current(APP).map(AppPause.Pause::kind)).as("45009 after 45011").contains(PauseKind.DAILY_QUOTA);
  }

  @Test
  void racingSendersNeverLoseTheDailyQuotaPause() throws Exception {
    int senders = 8;
    for (int round = 0; round < 20; round++) {
      redis.del(keys.pause(APP));
      List<AppPause> pauses = new ArrayList<>();
      for (int i = 0; i < senders; i++) pauses.add(sender());
      pauses.forEach(p -> assertThat(p.current(APP)).isEmpty()); // each has read "no pause" just now
      CountDownLatch start = new CountDownLatch(1);
      ExecutorService threads = Executors.newFixedThreadPool(senders);
      List<Future<?>> done = new ArrayList<>();
      for (int i = 0; i < senders; i++) {
        AppPause p = pauses.get(i);
        boolean quota = i == round % senders;
        done.add(threads.submit(() -> {
          start.await();
          if (quota) p.pause(APP, QUOTA_RESET, PauseKind.DAILY_QUOTA);
          else p.pause(APP, Duration.ofSeconds(4), PauseKind.RATE_LIMIT);
          return null;
        }));
      }
      start.countDown();
      for (Future<?> f : done) f.get();
      threads.shutdown();
      assertThat(redis.get(keys.pause(APP))).as("round " + round).endsWith(" 45009");
    }
  }
}
