package io.wxpush.ingest.auth;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * Counts events per client address in the current wall-clock minute, in a fixed amount of memory
 * however many addresses there are: a count-min sketch (4 rows of 65,536 counters, 1 MiB), hashed
 * with a seed drawn at start so nobody can aim collisions. An address's count is never below its
 * true count, so no newcomer goes uncounted; it can be above it only when all four of its counters
 * are shared with busier addresses (with 200,000 addresses a minute, about 3 events per counter).
 * A flood from millions of addresses in one minute saturates it and throttles every one of them,
 * which is what a flood deserves. Cleared when the minute turns. Thread-safe.
 */
public final class AddressThrottle {
  private static final int ROWS = 4;
  private static final int WIDTH = 1 << 16;

  private final int limit;
  private final Clock clock;
  private final long seed = new SecureRandom().nextLong();
  private final AtomicIntegerArray counts = new AtomicIntegerArray(ROWS * WIDTH);
  private volatile long minute;

  public AddressThrottle(int limit, Clock clock) {
    if (limit < 1) throw new IllegalArgumentException("limit must be ≥ 1");
    this.limit = limit;
    this.clock = clock;
  }

  public int limit() {
    return limit;
  }

  /** True when {@code address} has already reached the limit this minute. */
  public boolean exhausted(String address) {
    roll();
    return estimate(address) >= limit;
  }

  /** Counts one event of {@code address}; returns true when it is within the limit. */
  public boolean tryCount(String address) {
    roll();
    if (estimate(address) >= limit) return false;
    count(address);
    return true;
  }

  /** Counts one event of {@code address}, within the limit or not. */
  public void count(String address) {
    roll();
    for (int row = 0; row < ROWS; row++) {
      int slot = slot(address, row);
      int now = counts.get(slot);
      if (now < Integer.MAX_VALUE) counts.incrementAndGet(slot);
    }
  }

  private int estimate(String address) {
    int min = Integer.MAX_VALUE;
    for (int row = 0; row < ROWS; row++) min = Math.min(min, counts.get(slot(address, row)));
    return min;
  }

  private int slot(String address, int row) {
    long h = seed ^ (0x9E3779B97F4A7C15L * (row + 1));
    for (byte b : address.getBytes(StandardCharsets.UTF_8)) h = mix(h ^ b);
    return row * WIDTH + (int) (mix(h) & (WIDTH - 1));
  }

  private static long mix(long z) { // splitmix64's finaliser
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  private void roll() {
    long now = clock.millis() / 60_000;
    if (now != minute) {
      synchronized (this) {
        if (now != minute) {
          for (int i = 0; i < counts.length(); i++) counts.set(i, 0);
          minute = now;
        }
      }
    }
  }
}
