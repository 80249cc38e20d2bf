package io.wxpush.ingest.credentials;

import static org.assertj.core.api.Assertions.assertThat;

import io.wxpush.credentials.UserRef;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class UploadRateLimiterTest {
  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-23T10:00:00Z"));
  private final SharedCounter redis = new SharedCounter();
  private final UserRef alice = new UserRef("wxapp1", "o-alice");
  private final UserRef bob = new UserRef("wxapp1", "o-bob");

  @Test
  void oneInstanceEnforcesTheLimitExactlyWithoutWaitingForRedis() {
    UploadRateLimiter limiter = new UploadRateLimiter(redis, "t:", 5, clock);
    assertThat(IntStream.range(0, 7).mapToObj(i -> limiter.tryAcquire(alice)))
        .containsExactly(true, true, true, true, true, false, false);
    assertThat(limiter.tryAcquire(bob)).isTrue();
    assertThat(redis.calls).isZero(); // nothing on the request path
  }

  @Test
  void theLimitHoldsAcrossInstancesOneSyncLate() {
    UploadRateLimiter a = new UploadRateLimiter(redis, "t:", 5, clock);
    UploadRateLimiter b = new UploadRateLimiter(redis, "t:", 5, clock);
    for (int i = 0; i < 3; i++) assertThat(a.tryAcquire(alice)).isTrue();
    a.sync();
    assertThat(b.tryAcquire(alice)).isTrue(); // b: 1 of its own, not yet synced
    b.sync(); // b learns a's 3: the fleet has 4
    assertThat(b.tryAcquire(alice)).isTrue(); // 5
    assertThat(b.tryAcquire(alice)).isFalse(); // 6
    b.sync();
    // a has not synced since b's uploads: its next upload is judged on what it knew (the
    // documented tolerance), and the sync after it brings a up to date.
    assertThat(a.tryAcquire(alice)).isTrue();
    a.sync();
    assertThat(a.tryAcquire(alice)).isFalse();
    a.sync();
    assertThat(redis.totals).containsEntry("t:u{wxapp1:o-alice}:uploads:" + index(), 8L);
  }

  @Test
  void aNewWindowStartsFromZero() {
    UploadRateLimiter limiter = new UploadRateLimiter(redis, "t:", 2, clock);
    limiter.tryAcquire(alice);
    limiter.tryAcquire(alice);
    assertThat(limiter.tryAcquire(alice)).isFalse();
    limiter.sync();
    clock.advance(Duration.ofMinutes(1));
    assertThat(limiter.tryAcquire(alice)).isTrue();
  }

  @Test
  void countsGatheredWhileRedisIsDownReachItLaterAndTheLocalLimitHoldsMeanwhile() {
    UploadRateLimiter limiter = new UploadRateLimiter(redis, "t:", 3, clock);
    redis.down = true;
    for (int i = 0; i < 3; i++) assertThat(limiter.tryAcquire(alice)).isTrue();
    limiter.sync();
    assertThat(limiter.tryAcquire(alice)).isFalse();
    redis.down = false;
    limiter.sync();
    assertThat(redis.totals).containsEntry("t:u{wxapp1:o-alice}:uploads:" + index(), 4L);
  }

  @Test
  void finishedWindowsAreForgottenOnceSynced() {
    UploadRateLimiter limiter = new UploadRateLimiter(redis, "t:", 3, clock);
    limiter.tryAcquire(alice);
    limiter.tryAcquire(bob);
    limiter.sync();
    assertThat(limiter.trackedUsers()).isEqualTo(2);
    clock.advance(Duration.ofMinutes(1));
    limiter.tryAcquire(bob);
    limiter.sync();
    assertThat(limiter.trackedUsers()).isEqualTo(1);
  }

  private long index() {
    return clock.millis() / UploadRateLimiter.WINDOW.toMillis();
  }

  /** Redis's counters as the limiter sees them. */
  private static final class SharedCounter implements UploadRateLimiter.FleetCounter {
    final Map<String, Long> totals = new HashMap<>();
    int calls;
    boolean down;

    @Override
    public Map<String, Long> addAll(long windowIndex, Map<String, Long> deltas) {
      calls++;
      if (down) throw new IllegalStateException("redis down");
      Map<String, Long> out = new HashMap<>();
      deltas.forEach((k, d) -> out.put(k, totals.merge(k + ":" + windowIndex, d, Long::sum)));
      return out;
    }
  }

  private static final class MutableClock extends Clock {
    private Instant now;

    MutableClock(Instant now) {
      this.now = now;
    }

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}
