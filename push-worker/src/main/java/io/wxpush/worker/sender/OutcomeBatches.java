package io.wxpush.worker.sender;

import io.wxpush.push.PushId;
import io.wxpush.push.PushRun;
import io.wxpush.push.PushStatusStore;
import io.wxpush.push.UserOutcome;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Writes the per-push outcome counters of this sender process in batches: the outcomes its deliveries
 * record in a short window go to each push's status in one call per push ({@link PushStatusStore#recordOutcomes}),
 * not one per user. A delivery's {@link #record} returns once its batch is written, so the task is
 * acknowledged only after its outcome is durable: a batch lost with the process leaves its tasks
 * unacknowledged, their redeliveries find the final entries in the send ledger and record them again,
 * and the buckets' once-per-user fields keep anything from being counted twice. Thread-safe.
 */
final class OutcomeBatches implements AutoCloseable {
  /** How long the first outcome of a batch waits for others. */
  static final Duration LINGER = Duration.ofMillis(25);
  /** Most outcomes in one call. */
  static final int MAX_BATCH = 256;
  /** A bucket's TTL is set on this process's first write to it, then at most once per this period. */
  static final Duration REFRESH = Duration.ofSeconds(5);
  /** A push this process has written nothing for in this long is forgotten (its refresh times). */
  private static final Duration FORGET = Duration.ofMinutes(2);

  private record Pending(PushId push, PushRun run, UserOutcome user, CompletableFuture<Boolean> done) {}

  private final PushStatusStore status;
  private final Duration grace;
  private final Clock clock;
  private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
  /** Per push (request id + run id): bucket → when this process last set its TTL; touched by the flusher only. */
  private final Map<String, Map<Integer, Long>> refreshed = new HashMap<>();
  private final Map<String, Long> lastWrite = new HashMap<>();
  private final Thread flusher;
  private volatile boolean closed;

  /** @param grace {@code LEDGER_GRACE}: how long a user's outcome is remembered, so it is counted once */
  OutcomeBatches(PushStatusStore status, Duration grace, Clock clock) {
    this.status = status;
    this.grace = grace;
    this.clock = clock;
    this.flusher = Thread.ofPlatform().daemon().name("outcome-batches").start(this::run);
  }

  /**
   * Records {@code user}'s outcome of push {@code push} (run {@code run}) and returns once it is written:
   * true when recorded (or upgraded) now, false when the user had it already or the push's status is gone.
   *
   * @throws RuntimeException when Redis refused or could not be reached (nothing is known to be written)
   */
  boolean record(PushId push, PushRun run, UserOutcome user) throws InterruptedException {
    if (closed) throw new IllegalStateException("outcome batches closed");
    CompletableFuture<Boolean> done = new CompletableFuture<>();
    queue.add(new Pending(push, run, user, done));
    try {
      return done.get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) throw r;
      throw new IllegalStateException(e.getCause());
    }
  }

  private void run() {
    List<Pending> batch = new ArrayList<>();
    while (!closed) {
      try {
        batch.add(queue.take());
        long deadline = System.nanoTime() + LINGER.toNanos();
        while (batch.size() < MAX_BATCH) {
          Pending next = queue.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
          if (next == null) break;
          batch.add(next);
        }
      } catch (InterruptedException e) {
        break;
      }
      write(batch);
      batch.clear();
    }
    List<Pending> left = new ArrayList<>(batch);
    queue.drainTo(left);
    for (Pending p : left) p.done().completeExceptionally(new IllegalStateException("outcome batches closed"));
  }

  /** One call per push in the batch. */
  private void write(List<Pending> batch) {
    Map<String, List<Pending>> byPush = new LinkedHashMap<>();
    for (Pending p : batch) byPush.computeIfAbsent(p.push().requestId() + "|" + p.push().appId() + "|" + p.run().id(), k -> new ArrayList<>()).add(p);
    long now = clock.millis();
    byPush.forEach((key, pending) -> {
      Pending first = pending.getFirst();
      Map<Integer, Long> times = refreshed.computeIfAbsent(key, k -> new HashMap<>());
      try {
        List<Boolean> recorded = status.recordOutcomes(first.push(), first.run(), pending.stream().map(Pending::user).toList(), grace,
            bucket -> { // refreshed now when first written or last refreshed REFRESH ago (a failed call forgets them all, below)
              Long last = times.get(bucket);
              if (last != null && now - last < REFRESH.toMillis()) return false;
              times.put(bucket, now);
              return true;
            }, REFRESH);
        for (int i = 0; i < pending.size(); i++) pending.get(i).done().complete(recorded.get(i));
      } catch (RuntimeException e) {
        times.clear(); // unknown what was written: refresh every bucket next time
        for (Pending p : pending) p.done().completeExceptionally(e);
      }
      lastWrite.put(key, now);
    });
    lastWrite.entrySet().removeIf(e -> {
      boolean stale = now - e.getValue() > FORGET.toMillis();
      if (stale) refreshed.remove(e.getKey());
      return stale;
    });
  }

  @Override
  public void close() {
    closed = true;
    flusher.interrupt();
    try {
      flusher.join(Duration.ofSeconds(5));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
