package io.wxpush.worker.sender;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import io.wxpush.push.PushStatusStore;
import io.wxpush.push.PushStatusStore.Stop;
import java.time.Clock;
import java.util.concurrent.TimeUnit;

/**
 * Whether a push was stopped — failed as a whole (by a request-level WeChat answer seen by any
 * sender) or cancelled — read from the push's status at most once every {@value #REREAD_MS} ms per
 * push in this process, and remembered for good once set. A cancel is answered only after
 * {@code CANCEL_SETTLE} ({@link #REREAD_MS} and a margin), and the last check comes right before
 * each WeChat call, so no send starts after the answer. One read per push however many sends ask
 * when it goes stale (a Caffeine cache loads a key once for all its callers). Thread-safe.
 */
final class StopCache {
  static final long REREAD_MS = 1_000;
  private static final int MAX_TRACKED = 10_000;

  private final PushStatusStore status;
  private final Cache<String, Stop> seen;

  StopCache(PushStatusStore status, Clock clock) {
    this.status = status;
    this.seen = Caffeine.newBuilder()
        .expireAfter(new Expiry<String, Stop>() {
          @Override
          public long expireAfterCreate(String requestId, Stop stop, long now) {
            // a stop is for good: remembered until the push is forgotten (size-bounded)
            return stop.stopped() ? Long.MAX_VALUE : TimeUnit.MILLISECONDS.toNanos(REREAD_MS);
          }

          @Override
          public long expireAfterUpdate(String requestId, Stop stop, long now, long left) {
            return expireAfterCreate(requestId, stop, now);
          }

          @Override
          public long expireAfterRead(String requestId, Stop stop, long now, long left) {
            return left;
          }
        })
        .ticker(() -> TimeUnit.MILLISECONDS.toNanos(clock.millis()))
        .maximumSize(MAX_TRACKED)
        .build();
  }

  /** The push's stop marks, at most {@value #REREAD_MS} ms old. */
  Stop stop(String requestId) {
    return seen.get(requestId, status::stop);
  }
}
