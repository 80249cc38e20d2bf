package io.wxpush.worker.sender;

import io.wxpush.push.PushStatusStore;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Whether a push was failed as a whole (by a request-level WeChat answer seen by any sender),
 * read from the push's status at most once a second per push in this process, and remembered for
 * good once set. Thread-safe.
 */
final class FailFastCache {
  private static final long REREAD_MS = 1_000;
  private static final int MAX_TRACKED = 10_000;

  private record Seen(Optional<String> reason, long readAt) {}

  private final PushStatusStore status;
  private final Clock clock;
  private final Map<String, Seen> seen = new ConcurrentHashMap<>();

  FailFastCache(PushStatusStore status, Clock clock) {
    this.status = status;
    this.clock = clock;
  }

  /** The reason the push was failed as a whole, if it was. */
  Optional<String> reason(String requestId) {
    long now = clock.millis();
    Seen cached = seen.get(requestId);
    if (cached != null && (cached.reason().isPresent() || now - cached.readAt() < REREAD_MS)) return cached.reason();
    Optional<String> reason = status.failedFast(requestId);
    if (seen.size() > MAX_TRACKED) seen.clear();
    seen.put(requestId, new Seen(reason, now));
    return reason;
  }
}
