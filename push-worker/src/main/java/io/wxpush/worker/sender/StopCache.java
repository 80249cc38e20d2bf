package io.wxpush.worker.sender;

import io.wxpush.push.PushId;
import io.wxpush.push.PushStatusStore;
import io.wxpush.push.PushStatusStore.Stop;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * Whether a push was stopped — failed as a whole (by a request-level WeChat answer seen by any
 * sender) or cancelled — as this process last read it from the push's status, each read stamped
 * with when it <em>began</em> on the monotonic clock. A read that began at {@code t} and saw "not
 * stopped" ran before any cancel's write, and {@code DELETE} answers {@link
 * PushStatusStore#CANCEL_SETTLE} after its write: so a send that starts before {@code t +
 * CANCEL_SETTLE} starts before the answer. A "not stopped" is trusted for {@link #FRESH} (that
 * constant less a margin for the call to reach the wire), however slowly Redis answered it; older,
 * it is read again. A stop is remembered for good. One read per push at a time, however many
 * sends ask (they share it). Thread-safe; {@link #stop} blocks on Redis.
 */
final class StopCache {
  /** How long after its read began a "not stopped" may let a send start: {@code CANCEL_SETTLE} less a fifth. */
  static final Duration FRESH = PushStatusStore.CANCEL_SETTLE.minus(PushStatusStore.CANCEL_SETTLE.dividedBy(5));
  private static final int MAX_TRACKED = 10_000;

  /** One read of a push's stop marks, and when it began ({@link System#nanoTime()}). */
  private record View(Stop stop, long beganNanos) {}

  private final Function<PushId, Stop> read;
  private final LongSupplier nanos;
  private final Map<PushId, CompletableFuture<View>> views = new ConcurrentHashMap<>();

  StopCache(PushStatusStore status) {
    this(status::stop, System::nanoTime);
  }

  /** @param read one read of a push's stop marks   @param nanos the monotonic clock */
  StopCache(Function<PushId, Stop> read, LongSupplier nanos) {
    this.read = read;
    this.nanos = nanos;
  }

  /**
   * The push's stop marks, from a read that began less than {@link #FRESH} ago (or a stop, which is
   * for good); reads again as often as needed until {@code giveUpNanos} ({@link System#nanoTime()}).
   *
   * @return empty when no read fresh enough came back before {@code giveUpNanos} (Redis answers too slowly)
   */
  Optional<Stop> stop(PushId requestId, long giveUpNanos) {
    while (true) {
      CompletableFuture<View> mine = new CompletableFuture<>();
      CompletableFuture<View> current = views.compute(requestId, (k, cur) -> usable(cur) ? cur : mine);
      if (current == mine) load(requestId, mine);
      View view;
      try {
        view = current.join();
      } catch (CompletionException e) {
        throw e.getCause() instanceof RuntimeException r ? r : e;
      }
      if (trusted(view)) return Optional.of(view.stop());
      if (nanos.getAsLong() - giveUpNanos > 0) return Optional.empty();
    }
  }

  private void load(PushId requestId, CompletableFuture<View> mine) {
    if (views.size() > MAX_TRACKED) views.clear();
    long began = nanos.getAsLong();
    try {
      mine.complete(new View(read.apply(requestId), began));
    } catch (RuntimeException e) {
      views.remove(requestId, mine);
      mine.completeExceptionally(e);
    }
  }

  /** A read in flight (its result is judged when it comes), or one done whose answer may still be trusted. */
  private boolean usable(CompletableFuture<View> f) {
    if (f == null || f.isCompletedExceptionally()) return false;
    return !f.isDone() || trusted(f.join());
  }

  private boolean trusted(View v) {
    return v.stop().stopped() || nanos.getAsLong() - v.beganNanos() < FRESH.toNanos();
  }
}
