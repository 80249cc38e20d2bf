package io.wxpush.ingest.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.wxpush.testkit.MutableClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class AddressThrottleTest {
  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-23T10:00:00Z"));

  @Test
  void countsPerAddressWithinTheMinute() {
    AddressThrottle t = new AddressThrottle(3, clock);
    for (int i = 0; i < 3; i++) assertThat(t.tryCount("a")).isTrue();
    assertThat(t.tryCount("a")).isFalse();
    assertThat(t.tryCount("b")).isTrue();
    clock.advance(Duration.ofMinutes(1));
    assertThat(t.tryCount("a")).isTrue();
  }

  @Test
  void twoHundredThousandAddressesNeitherGrowItNorExemptANewcomer() {
    AddressThrottle t = new AddressThrottle(20, clock);
    for (int i = 0; i < 200_000; i++) t.count("10." + (i >> 16) + "." + ((i >> 8) & 255) + "." + (i & 255));
    int throttledAtOnce = 0;
    for (int n = 0; n < 20; n++) if (!t.tryCount("203.0.113.77")) throttledAtOnce++;
    assertThat(t.tryCount("203.0.113.77")).as("the newcomer is counted: its 21st is refused").isFalse();
    // 200,000 others over 65,536 counters a row: a fresh address is not taken for a busy one
    int wronglyThrottled = 0;
    for (int i = 0; i < 1_000; i++) if (t.exhausted("198.51." + (i >> 8) + "." + (i & 255))) wronglyThrottled++;
    assertThat(wronglyThrottled).as("fresh addresses taken for busy ones").isZero();
    assertThat(throttledAtOnce).isLessThan(20);
  }
}
