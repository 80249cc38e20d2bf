package io.wxpush.worker.sender;

import io.wxpush.worker.Backoff;
import io.wxpush.json.Json;
import io.wxpush.push.Outcome;
import io.wxpush.push.PushTask;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the tasks of one poll at once, each on a virtual thread, with at most {@code concurrency}
 * in flight across every consumer of the process, and says for each record whether it is done
 * (acknowledge) or should be delivered again (a failure of Redis or Kafka, not of WeChat).
 * Thread-safe.
 */
final class TaskBatch implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(TaskBatch.class);

  /** What becomes of a record. */
  enum Disposition { DONE, REDELIVER }

  /** One polled record: its bytes and how often the broker has handed it out (1 = first time). */
  record Item(byte[] value, int deliveryCount) {}

  private final TaskProcessor processor;
  private final Outcomes outcomes;
  private final Semaphore permits;
  private final int maxDeliveries;
  private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
  /** How long a task keeps retrying through a Redis or Kafka outage; well under the broker's 30 s lock. */
  private static final java.time.Duration OUTAGE_BUDGET = java.time.Duration.ofSeconds(20);
  private static final Backoff OUTAGE_BACKOFF = new Backoff(java.time.Duration.ofMillis(200), java.time.Duration.ofSeconds(2));

  /** @param maxDeliveries a record handed out this often goes to the DLQ instead of being run again */
  TaskBatch(TaskProcessor processor, Outcomes outcomes, int concurrency, int maxDeliveries) {
    this.processor = processor;
    this.outcomes = outcomes;
    this.permits = new Semaphore(concurrency);
    this.maxDeliveries = maxDeliveries;
  }

  List<Disposition> run(List<Item> items) throws InterruptedException {
    List<Future<Disposition>> futures = new ArrayList<>(items.size());
    for (Item item : items) {
      permits.acquire();
      try {
        futures.add(threads.submit(() -> {
          try {
            return one(item);
          } finally {
            permits.release();
          }
        }));
      } catch (RuntimeException e) {
        permits.release();
        throw e;
      }
    }
    List<Disposition> out = new ArrayList<>(items.size());
    for (Future<Disposition> f : futures) {
      try {
        out.add(f.get());
      } catch (ExecutionException e) {
        out.add(Disposition.REDELIVER);
      }
    }
    return out;
  }

  private Disposition one(Item item) {
    PushTask task;
    try {
      task = Json.MAPPER.readValue(item.value(), PushTask.class);
      new io.wxpush.credentials.UserRef(task.appId(), task.openId());
    } catch (Exception e) {
      log.warn("event=task_unreadable error={}", e.getClass().getSimpleName());
      return Disposition.DONE; // nothing can ever run it; no push to count it against
    }
    try {
      if (item.deliveryCount() >= maxDeliveries) {
        outcomes.deadLetter(task, "redelivered_" + item.deliveryCount() + "_times", 0, Outcome.FAILED);
        return Disposition.DONE;
      }
      return runThroughOutages(task);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Disposition.REDELIVER;
    } catch (RuntimeException e) {
      log.warn("event=task_failed requestId={} app={} error={}", task.requestId(), task.appId(), e.toString());
      return Disposition.REDELIVER;
    }
  }

  /**
   * Runs the task, and while Redis or Kafka is unreachable runs it again after a backoff, up to
   * {@link #OUTAGE_BUDGET}: releasing it at once would spend the broker's few deliveries in a
   * second. Running it again is safe: the claim and the outcome are both idempotent.
   */
  private Disposition runThroughOutages(PushTask task) throws InterruptedException {
    long deadline = System.nanoTime() + OUTAGE_BUDGET.toNanos();
    for (int attempt = 1; ; attempt++) {
      try {
        processor.process(task);
        return Disposition.DONE;
      } catch (RuntimeException e) {
        if (System.nanoTime() > deadline) throw e;
        if (attempt == 1) log.warn("event=task_waiting_for_infrastructure requestId={} error={}", task.requestId(), e.toString());
        Thread.sleep(OUTAGE_BACKOFF.delay(attempt).toMillis() + 50);
      }
    }
  }

  @Override
  public void close() {
    threads.shutdown();
  }
}
