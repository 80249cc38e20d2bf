package io.wxpush.ingest.events;

import java.time.Clock;
import java.time.Duration;

/**
 * The time window a message-push request's {@code timestamp} must fall in (BRIEF §3, v3): WeChat's
 * signature covers only token, timestamp and nonce, so without a window a request once seen (in a
 * proxy's log, say) could be posted again at any time. A timestamp more than {@link #MAX_SKEW} from
 * now, or none, is refused. Immutable, thread-safe.
 */
final class EventWindow {
  /** How far a request's timestamp may be from now, either way: 5 minutes (keep the servers' clocks in sync). */
  static final Duration MAX_SKEW = Duration.ofMinutes(5);

  /**
   * How long a taken request is remembered ({@link TakenEvents}): a timestamp admitted now may be
   * {@link #MAX_SKEW} ahead, so it stays admitted for up to twice that; a minute more covers
   * instances whose clocks differ a little.
   */
  static final Duration REMEMBER = MAX_SKEW.multipliedBy(2).plusMinutes(1);

  private final Clock clock;

  EventWindow(Clock clock) {
    this.clock = clock;
  }

  /** True when {@code timestamp} (seconds since the epoch, as WeChat sends it) is within {@link #MAX_SKEW} of now. */
  boolean admits(String timestamp) {
    if (timestamp == null || timestamp.isEmpty() || timestamp.length() > 12) return false;
    long seconds;
    try {
      seconds = Long.parseLong(timestamp);
    } catch (NumberFormatException e) {
      return false;
    }
    return Math.abs(clock.millis() / 1000 - seconds) <= MAX_SKEW.toSeconds();
  }
}
