package io.wxpush.worker.sender;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One hand-out of a task by the broker: the owner id its ledger attempts carry (unique per
 * delivery, across processes), when the broker's lock on it runs out, and how often the broker has
 * handed it out. Used by one thread at a time.
 */
final class Delivery {
  /** This process's part of every owner id: random, so two processes never share one. */
  private static final String PROCESS = Long.toString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE, 36);
  private static final AtomicLong SEQUENCE = new AtomicLong();

  private final String owner;
  private final long deadlineNanos;
  private final int count;
  /** A WeChat call was made under this delivery's current attempt mark and its effect is not yet in the ledger. */
  private boolean callUnsettled;

  /**
   * @param deadlineNanos {@link System#nanoTime()} by which the task must be done or handed back
   * @param count how often the broker has handed the task out, this time included (1 = first);
   *     {@link SendPolicy} decides which one is the last
   */
  Delivery(long deadlineNanos, int count) {
    this.owner = PROCESS + "." + Long.toString(SEQUENCE.incrementAndGet(), 36);
    this.deadlineNanos = deadlineNanos;
    this.count = count;
  }

  String owner() {
    return owner;
  }

  long deadlineNanos() {
    return deadlineNanos;
  }

  int count() {
    return count;
  }

  Duration timeLeft() {
    return Duration.ofNanos(deadlineNanos - System.nanoTime());
  }

  boolean callUnsettled() {
    return callUnsettled;
  }

  void callUnsettled(boolean value) {
    callUnsettled = value;
  }
}
