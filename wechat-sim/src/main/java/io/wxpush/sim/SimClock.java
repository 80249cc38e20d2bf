package io.wxpush.sim;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The sim's notion of "now": the wall clock plus an offset that tests move forward, so that
 * 7-day credential expiry or 2-hour token expiry can be tested without waiting. Thread-safe.
 */
final class SimClock {
  private final AtomicLong offsetMillis = new AtomicLong();

  /** Milliseconds since the epoch, offset included. */
  long nowMillis() {
    return System.currentTimeMillis() + offsetMillis.get();
  }

  Instant now() {
    return Instant.ofEpochMilli(nowMillis());
  }

  /** Sets the offset from the wall clock (not cumulative); negative offsets are allowed. */
  void offset(Duration offset) {
    offsetMillis.set(offset.toMillis());
  }

  Duration offset() {
    return Duration.ofMillis(offsetMillis.get());
  }
}
