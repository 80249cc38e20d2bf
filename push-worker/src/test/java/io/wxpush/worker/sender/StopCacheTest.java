package io.wxpush.worker.sender;

import static org.assertj.core.api.Assertions.assertThat;

import io.wxpush.push.PushId;
import io.wxpush.push.PushStatusStore;
import io.wxpush.push.PushStatusStore.Stop;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** A "not stopped" counts from when its read began, however slowly Redis answered it, on the monotonic clock. */
class StopCacheTest {
  private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
  private final AtomicInteger reads = new AtomicInteger();
  private volatile Duration readTakes = Duration.ZERO;
  private volatile Stop marks = Stop.NONE;
  private final StopCache cache = new StopCache(rid -> {
    reads.incrementAndGet();
    Stop seen = marks; // what Redis had when the read ran: at its start
    nanos.addAndGet(readTakes.toNanos());
    return seen;
  }, nanos::get);

  private void advance(Duration d) {
    nanos.addAndGet(d.toNanos());
  }

  @Test
  void bothNumbersComeFromTheCancelsOneConstant() {
    assertThat(StopCache.FRESH).isLessThan(PushStatusStore.CANCEL_SETTLE).isEqualTo(Duration.ofMillis(1_200));
  }

  @Test
  void aNotStoppedIsTrustedFromWhenItsReadBeganNotWhenItCameBack() {
    readTakes = Duration.ofMillis(1_000);
    assertThat(cache.stop(new PushId("wxapp1", "r"), nanos.get())).contains(Stop.NONE);
    advance(Duration.ofMillis(100)); // began 1.1 s ago: still fresh
    assertThat(cache.stop(new PushId("wxapp1", "r"), nanos.get())).contains(Stop.NONE);
    assertThat(reads).hasValue(1);
    advance(Duration.ofMillis(150)); // began 1.25 s ago: a call now could follow a cancel's answer
    marks = new Stop(Optional.empty(), true);
    readTakes = Duration.ZERO;
    assertThat(cache.stop(new PushId("wxapp1", "r"), nanos.get())).contains(marks);
    assertThat(reads).hasValue(2);
  }

  @Test
  void aReadSlowerThanTheFreshnessNeverLetsASendStart() {
    readTakes = Duration.ofMillis(1_300);
    long giveUp = nanos.get() + Duration.ofSeconds(5).toNanos();
    assertThat(cache.stop(new PushId("wxapp1", "r"), giveUp)).as("no read fresh enough before the deadline").isEmpty();
    assertThat(reads.get()).isGreaterThan(1);
  }

  @Test
  void aStopIsRememberedForGood() {
    marks = new Stop(Optional.of("40037"), false);
    assertThat(cache.stop(new PushId("wxapp1", "r"), nanos.get())).contains(marks);
    marks = Stop.NONE;
    advance(Duration.ofHours(1));
    assertThat(cache.stop(new PushId("wxapp1", "r"), nanos.get())).map(Stop::stopped).contains(true);
    assertThat(reads).hasValue(1);
  }
}
