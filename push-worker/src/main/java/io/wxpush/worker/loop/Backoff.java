package io.wxpush.worker.loop;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential backoff with full jitter: the n-th wait is uniform in [0, min(cap, base·2ⁿ)], so
 * retries from many senders spread out instead of arriving together.
 */
public record Backoff(Duration base, Duration cap) {
  public Duration delay(int attempt) {
    return Duration.ofMillis(ThreadLocalRandom.current().nextLong(ceiling(attempt).toMillis() + 1));
  }

  /** The longest wait of the n-th retry (0 for n ≤ 0). */
  public Duration ceiling(int attempt) {
    if (attempt <= 0) return Duration.ZERO;
    return Duration.ofMillis(Math.min(cap.toMillis(), base.toMillis() << Math.min(attempt, 20)));
  }
}
