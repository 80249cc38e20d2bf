package io.wxpush.worker.sender;

import io.wxpush.push.PushStatusStore;
import io.wxpush.push.PushStatusStore.Stop;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Whether a push was stopped — failed as a whole (by a request-level WeChat answer seen by any
 * sender) or cancelled — read from the push's status at most once every {@value #REREAD_MS} ms per
 * push in this process, and remembered for good once set. A cancel is answered only after
 * {@code CANCEL_SETTLE} ({@link #REREAD_MS} and a margin), and the last check comes right before
 * each WeChat call, so no send starts after the answer. Thread-safe.
 */
final class StopCache {
  static final long REREAD_MS = 1_000;
  private static final int MAX_TRACKED = 10_000;

  private record Seen(Stop stop, long readAt) {}

  private final PushStatusStore status;
  private final Clock clock;
  private final Map<String, Seen> seen = new ConcurrentHashMap<>();

  StopCache(PushStatusStore status, Clock clock) {
    this.status = status;
    this.clock = clock;
  }

  /** The push's stop marks, at most {@value #REREAD_MS} ms old. */
  Stop stop(String requestId) {
    long now = clock.millis();
    Seen cached = seen.get(requestId);
    if (cached != null && (cached.stop().stopped() || now - cached.readAt() < REREAD_MS)) return cached.stop();
    Stop stop = status.stop(requestId);
    if (seen.size() > MAX_TRACKED) seen.clear();
    seen.put(requestId, new Seen(stop, now));
    return stop;
  }
}
