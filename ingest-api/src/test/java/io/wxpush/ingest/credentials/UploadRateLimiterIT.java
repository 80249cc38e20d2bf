package io.wxpush.ingest.credentials;

import io.wxpush.redis.RedisKeys;
import io.wxpush.testkit.MutableClock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.wxpush.redis.RedisEndpoint;
import io.wxpush.user.UserRef;
import io.wxpush.redis.RedisConnections;
import io.wxpush.redis.RedisWindowCounter;
import io.wxpush.testkit.PrivateService;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.UnifiedJedis;

/**
 * The upload limiter's counts against a real Redis (a private one, so that it can be stopped
 * and restarted), through the same {@link RedisWindowCounter} the API uses; only the clock is
 * the test's, so that windows can be crossed at will.
 */
class UploadRateLimiterIT {
  static PrivateService server;
  static UnifiedJedis jedis;
  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-23T10:00:00Z"));
  private final UserRef alice = new UserRef("wxapp1", "o-alice");
  private final UserRef bob = new UserRef("wxapp1", "o-bob");
  /** How often the limiters under test sync. */
  private static final Duration SYNC = Duration.ofMillis(20);
  private final List<UploadRateLimiter> closing = new ArrayList<>();
  private String prefix;
  private Counted redis;

  @BeforeAll
  static void startRedis() throws Exception {
    server = PrivateService.redis();
    jedis = RedisConnections.open(RedisEndpoint.parse(server.address()), 4);
  }

  @AfterAll
  static void stopRedis() throws Exception {
    jedis.close();
    server.close();
  }

  @BeforeEach
  void counter() {
    prefix = "t" + UUID.randomUUID().toString().substring(0, 8) + ":";
    redis = new Counted(new RedisWindowCounter(jedis, UploadRateLimiter.WINDOW, clock));
  }

  @AfterEach
  void redisBackUp() throws Exception {
    closing.forEach(UploadRateLimiter::close);
    if (!"PONG".equals(ping())) server.restart();
  }

  private static String ping() {
    try {
      return jedis.ping();
    } catch (RuntimeException e) {
      return e.toString();
    }
  }

  /** Alice's fleet-wide count of the current window, as stored in Redis. */
  private long aliceInRedis() {
    String value = jedis.get(RedisKeys.inWindow(new RedisKeys(prefix).uploads(alice), index()));
    return value == null ? 0 : Long.parseLong(value);
  }

  /** A limiter whose sync thread runs every {@code syncInterval}. */
  private UploadRateLimiter limiter(int perMinute, Duration syncInterval) {
    UploadRateLimiter limiter = new UploadRateLimiter(redis, new RedisKeys(prefix), perMinute, clock, syncInterval);
    closing.add(limiter);
    return limiter;
  }

  /** Waits until Redis holds {@code expected} for Alice and keeps it a while (the syncing thread has read the reply). */
  private void awaitAliceInRedis(long expected) {
    await().atMost(Duration.ofSeconds(10)).during(Duration.ofMillis(200)).until(() -> aliceInRedis() == expected);
  }

  @Test
  void oneInstanceEnforcesTheLimitExactlyWithoutWaitingForRedis() {
    UploadRateLimiter limiter = limiter(5, Duration.ofHours(1));
    assertThat(IntStream.range(0, 7).mapToObj(i -> limiter.tryAcquire(alice)))
        .containsExactly(true, true, true, true, true, false, false);
    assertThat(limiter.tryAcquire(bob)).isTrue();
    assertThat(redis.calls).hasValue(0); // nothing on the request path
    assertThat(aliceInRedis()).isZero();
  }

  @Test
  void theLimitHoldsAcrossInstancesOneSyncLate() {
    UploadRateLimiter a = limiter(5, SYNC);
    UploadRateLimiter b = limiter(5, SYNC);
    for (int i = 0; i < 3; i++) assertThat(a.tryAcquire(alice)).isTrue();
    awaitAliceInRedis(3);
    assertThat(b.tryAcquire(alice)).isTrue(); // b: 1 of its own, not yet synced
    awaitAliceInRedis(4); // b learns a's 3: the fleet has 4
    assertThat(b.tryAcquire(alice)).isTrue(); // 5
    assertThat(b.tryAcquire(alice)).isFalse(); // 6
    awaitAliceInRedis(6);
    // a has not synced since b's uploads: its next upload is judged on what it knew (the
    // documented tolerance), and the sync after it brings a up to date.
    assertThat(a.tryAcquire(alice)).isTrue();
    awaitAliceInRedis(7);
    assertThat(a.tryAcquire(alice)).isFalse();
    awaitAliceInRedis(8);
  }

  @Test
  void aNewWindowStartsFromZero() {
    UploadRateLimiter limiter = limiter(2, SYNC);
    limiter.tryAcquire(alice);
    limiter.tryAcquire(alice);
    assertThat(limiter.tryAcquire(alice)).isFalse();
    awaitAliceInRedis(3);
    clock.advance(Duration.ofMinutes(1));
    assertThat(limiter.tryAcquire(alice)).isTrue();
  }

  @Test
  void countsGatheredWhileRedisIsDownReachItLaterAndTheLocalLimitHoldsMeanwhile() throws Exception {
    UploadRateLimiter limiter = limiter(3, SYNC);
    server.stop();
    for (int i = 0; i < 3; i++) assertThat(limiter.tryAcquire(alice)).isTrue();
    await().atMost(Duration.ofSeconds(10)).until(() -> redis.calls.get() >= 1); // tried, and failed: Redis is away
    assertThat(limiter.tryAcquire(alice)).isFalse();
    server.restart();
    // the next syncs carry the counts over, once (the first may meet a pooled connection the restart broke)
    awaitAliceInRedis(4);
  }

  private long index() {
    return clock.millis() / UploadRateLimiter.WINDOW.toMillis();
  }

  /** The real counter, counting its round trips. */
  private static final class Counted implements UploadRateLimiter.FleetCounter {
    final RedisWindowCounter counter;
    final AtomicInteger calls = new AtomicInteger();

    Counted(RedisWindowCounter counter) {
      this.counter = counter;
    }

    @Override
    public Map<String, Long> addAll(long windowIndex, Map<String, Long> deltas) {
      calls.incrementAndGet();
      return counter.addAll(windowIndex, deltas);
    }
  }
}
