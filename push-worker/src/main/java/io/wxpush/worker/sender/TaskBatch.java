package io.wxpush.worker.sender;

import io.wxpush.user.UserRef;
import io.wxpush.json.Json;
import io.wxpush.push.PushTask;
import io.wxpush.worker.loop.Backoff;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the tasks of one poll at once, each on a virtual thread, with at most {@code concurrency}
 * sends in flight across every consumer of the process, and reports each record as it finishes:
 * done (acknowledge) or to be delivered again. Every task is bounded by its delivery's deadline
 * (below the broker's lock on it). Thread-safe.
 */
final class TaskBatch implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(TaskBatch.class);
  private static final Backoff OUTAGE_BACKOFF = new Backoff(Duration.ofMillis(200), Duration.ofSeconds(2));

  /** What becomes of a record. */
  enum Disposition { DONE, REDELIVER }

  /** One polled record: its bytes and how often it has been handed out (1 = first time). */
  record Item(byte[] value, int deliveryCount) {}

  /** Told once per item as it finishes, on the item's own thread. */
  @FunctionalInterface
  interface Completion {
    void finished(int index, Disposition disposition);
  }

  private final TaskRunner runner;
  private final Outcomes outcomes;
  private final Semaphore permits;
  private final SendPolicy policy;
  private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();

  /** @param policy which delivery is the spare one after the last ({@code TASK_MAX_DELIVERIES}) */
  TaskBatch(TaskRunner runner, Outcomes outcomes, int concurrency, SendPolicy policy) {
    this.runner = runner;
    this.outcomes = outcomes;
    this.permits = new Semaphore(concurrency);
    this.policy = policy;
  }

  /**
   * Starts every item and returns at once; each reports to {@code completion} when done. Items
   * wait for a send slot on their own threads, inside their deadline.
   *
   * @param deadlineNanos {@link System#nanoTime()} by which each item must be done or handed back
   */
  void start(List<Item> items, long deadlineNanos, Completion completion) {
    for (int i = 0; i < items.size(); i++) {
      int index = i;
      Item item = items.get(i);
      threads.submit(() -> completion.finished(index, guarded(item, deadlineNanos)));
    }
  }

  /** Runs every item and waits for all of them (a consumer that commits a whole poll at once). */
  List<Disposition> run(List<Item> items, long deadlineNanos) throws InterruptedException {
    Disposition[] out = new Disposition[items.size()];
    CountDownLatch done = new CountDownLatch(items.size());
    start(items, deadlineNanos, (i, d) -> {
      out[i] = d;
      done.countDown();
    });
    done.await();
    return new ArrayList<>(Arrays.asList(out));
  }

  private Disposition guarded(Item item, long deadlineNanos) {
    try {
      permits.acquire();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Disposition.REDELIVER;
    }
    try {
      return one(item, deadlineNanos);
    } catch (RuntimeException e) {
      log.warn("event=task_failed error={}", e.toString());
      return Disposition.REDELIVER;
    } finally {
      permits.release();
    }
  }

  private Disposition one(Item item, long deadlineNanos) {
    PushTask task;
    try {
      task = Json.MAPPER.readValue(item.value(), PushTask.class);
      new UserRef(task.appId(), task.openId());
    } catch (Exception e) {
      log.warn("event=task_unreadable error={}", e.getClass().getSimpleName());
      return Disposition.DONE; // nothing can ever run it; no push to count it against
    }
    Delivery delivery = new Delivery(deadlineNanos, item.deliveryCount());
    try {
      return runThroughOutages(task, delivery) == TaskRunner.End.DONE ? Disposition.DONE : Disposition.REDELIVER;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Disposition.REDELIVER;
    } catch (RuntimeException e) {
      log.warn("event=task_failed requestId={} app={} delivery={} error={}", task.requestId(), task.appId(), delivery.count(), e.toString());
      // up to the last delivery, the broker has one more (the spare) that dead-letters the task properly
      if (!policy.spare(delivery.count())) return Disposition.REDELIVER;
      // the spare itself failed: the broker drops the task after it, so keep it at least in the DLQ
      try {
        outcomes.deadLetterRecord(task, SendPolicy.redelivered(delivery.count()), 0);
      } catch (RuntimeException dlq) {
        log.error("event=task_lost requestId={} app={} error={}", task.requestId(), task.appId(), dlq.toString());
      }
      return Disposition.DONE;
    }
  }

  /**
   * Runs the task, and while Redis or Kafka is unreachable runs it again after a backoff, until
   * the delivery's deadline: releasing it at once would spend the broker's few deliveries in a
   * second. Running it again with the same delivery is safe: every ledger step is idempotent or
   * fenced by the delivery's owner id, and outcomes are recorded once.
   */
  private TaskRunner.End runThroughOutages(PushTask task, Delivery delivery) throws InterruptedException {
    for (int attempt = 1; ; attempt++) {
      try {
        return runner.run(task, delivery);
      } catch (RuntimeException e) {
        if (delivery.timeLeft().isNegative()) throw e;
        if (attempt == 1) log.warn("event=task_waiting_for_infrastructure requestId={} error={}", task.requestId(), e.toString());
        Thread.sleep(OUTAGE_BACKOFF.delay(attempt).toMillis() + 50);
      }
    }
  }

  @Override
  public void close() {
    threads.shutdown();
    try {
      threads.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS); // deliveries still running record their outcomes
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    outcomes.close();
  }
}
