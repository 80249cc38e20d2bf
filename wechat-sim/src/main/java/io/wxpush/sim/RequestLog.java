package io.wxpush.sim;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The bounded record of the requests the sim received, oldest first: past {@code capacity} the
 * oldest are dropped (counted). Two views: {@link #snapshot} lists what is kept, and
 * {@link #take} hands each request out once, in arrival order, waiting for the next (a test's
 * cursor, as MockWebServer's {@code takeRequest()}). Capacity 0 records nothing. Thread-safe; one
 * short lock per request.
 */
final class RequestLog {
  private static final Set<String> SECRET_HEADERS = Set.of("authorization", "cookie", "proxy-authorization");

  private final int capacity;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition arrived = lock.newCondition();
  private final ArrayDeque<RecordedRequest> kept;
  private long nextSequence = 1;
  private long nextTake = 1;
  private long dropped;

  RequestLog(int capacity) {
    if (capacity < 0) throw new IllegalArgumentException("capacity must be >= 0");
    this.capacity = capacity;
    this.kept = new ArrayDeque<>(Math.min(capacity, 1024));
  }

  boolean enabled() {
    return capacity > 0;
  }

  int capacity() {
    return capacity;
  }

  /** Records one request; {@code headers} as name/value pairs, any case. */
  void record(Instant at, String method, String path, String query, List<Map.Entry<String, String>> headers, byte[] body) {
    if (capacity == 0) return;
    Map<String, List<String>> named = new LinkedHashMap<>();
    for (Map.Entry<String, String> h : headers) {
      String name = h.getKey().toLowerCase(Locale.ROOT);
      named.computeIfAbsent(name, n -> new ArrayList<>(1)).add(SECRET_HEADERS.contains(name) ? "<redacted>" : h.getValue());
    }
    String text = body == null ? "" : new String(body, StandardCharsets.UTF_8);
    lock.lock();
    try {
      RecordedRequest r = new RecordedRequest(nextSequence++, at, method, path, query == null ? "" : query, named, text);
      if (kept.size() == capacity) {
        kept.removeFirst();
        dropped++;
      }
      kept.addLast(r);
      arrived.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** What is kept, oldest first. */
  List<RecordedRequest> snapshot() {
    lock.lock();
    try {
      return List.copyOf(kept);
    } finally {
      lock.unlock();
    }
  }

  /**
   * The next request not taken yet, waiting up to {@code timeout} for one to arrive; empty on
   * time-out. Requests dropped before they were taken are skipped. Blocks; interruptible.
   */
  Optional<RecordedRequest> take(Duration timeout) throws InterruptedException {
    long nanos = timeout.toNanos();
    lock.lock();
    try {
      while (true) {
        for (RecordedRequest r : kept) {
          if (r.sequence() >= nextTake) {
            nextTake = r.sequence() + 1;
            return Optional.of(r);
          }
        }
        if (nanos <= 0) return Optional.empty();
        nanos = arrived.awaitNanos(nanos);
      }
    } finally {
      lock.unlock();
    }
  }

  /** Requests received since start or the last {@link #clear}, dropped ones included. */
  long received() {
    lock.lock();
    try {
      return nextSequence - 1;
    } finally {
      lock.unlock();
    }
  }

  int kept() {
    lock.lock();
    try {
      return kept.size();
    } finally {
      lock.unlock();
    }
  }

  long dropped() {
    lock.lock();
    try {
      return dropped;
    } finally {
      lock.unlock();
    }
  }

  /** Forgets every request and restarts the sequence at 1; nothing is left to take. */
  void clear() {
    lock.lock();
    try {
      kept.clear();
      nextSequence = 1;
      nextTake = 1;
      dropped = 0;
    } finally {
      lock.unlock();
    }
  }
}
