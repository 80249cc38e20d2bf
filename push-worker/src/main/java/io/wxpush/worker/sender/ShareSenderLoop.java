package io.wxpush.worker.sender;

import io.wxpush.worker.loop.ConsumerLoop;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.ShareConsumer;
import org.apache.kafka.common.errors.RetriableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes push tasks through a Kafka share group (KIP-932): senders are not capped by the
 * partition count, each record is acknowledged on its own, and the broker counts redeliveries.
 * Each record is acknowledged as soon as its task finishes (ACCEPT when done, RELEASE to be
 * delivered again), so one slow task never holds back the others of its poll; every task's
 * deadline sits below the record lock the broker reports for the poll. One thread owns the
 * consumer ({@link #run()}).
 */
final class ShareSenderLoop extends ConsumerLoop {
  private static final Logger log = LoggerFactory.getLogger(ShareSenderLoop.class);
  /**
   * Acknowledgements of finished tasks go to the broker at least this often while others of the
   * poll still run: soon enough that a crash redelivers little, seldom enough that the broker is
   * not asked once per record.
   */
  private static final long COMMIT_EVERY_NANOS = TimeUnit.SECONDS.toNanos(1);

  private final ShareConsumer<String, byte[]> consumer;
  private final String topic;
  private final TaskBatch batch;
  private final Duration configuredLock;
  private final Duration lockMargin;
  private Duration lastLock;

  private record Finished(int index, TaskBatch.Disposition disposition) {}

  /**
   * @param configuredLock the group's record lock as configured ({@code TASK_LOCK}); the broker's
   *     own figure, read after each poll, wins
   * @param lockMargin how long before the lock runs out a task must be done or handed back
   */
  ShareSenderLoop(ShareConsumer<String, byte[]> consumer, String topic, TaskBatch batch, Duration configuredLock, Duration lockMargin) {
    super(Duration.ofSeconds(60));
    this.consumer = consumer;
    this.topic = topic;
    this.batch = batch;
    this.configuredLock = configuredLock;
    this.lockMargin = lockMargin;
    consumer.setAcknowledgementCommitCallback((offsets, e) -> {
      if (e != null) log.warn("event=share_ack_failed partitions={} error={}", offsets.size(), e.toString());
    });
  }

  @Override
  protected void loop() throws InterruptedException {
    consumer.subscribe(Set.of(topic));
    while (running()) {
      ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofMillis(500));
      if (records.isEmpty()) continue;
      long polledAt = System.nanoTime();
      Duration lock = consumer.acquisitionLockTimeoutMs().map(Duration::ofMillis).orElse(configuredLock);
      if (!lock.equals(lastLock)) {
        log.info("event=share_record_lock ms={} configured_ms={}", lock.toMillis(), configuredLock.toMillis());
        lastLock = lock;
      }
      List<ConsumerRecord<String, byte[]>> polled = new ArrayList<>(records.count());
      List<TaskBatch.Item> items = new ArrayList<>(records.count());
      for (ConsumerRecord<String, byte[]> r : records) {
        polled.add(r);
        items.add(new TaskBatch.Item(r.value(), r.deliveryCount().map(Short::intValue).orElse(1)));
      }
      BlockingQueue<Finished> finished = new LinkedBlockingQueue<>();
      batch.start(items, polledAt + lock.minus(lockMargin).toNanos(), (i, d) -> finished.add(new Finished(i, d)));
      acknowledgeAsTheyFinish(polled, finished);
    }
  }

  /** Acknowledges each record as its task finishes, sending the acknowledgements on every second, and waits for all. */
  private void acknowledgeAsTheyFinish(List<ConsumerRecord<String, byte[]>> polled, BlockingQueue<Finished> finished) throws InterruptedException {
    int pending = polled.size();
    boolean unsent = false;
    long lastCommit = System.nanoTime();
    while (pending > 0) {
      Finished f = finished.poll(100, TimeUnit.MILLISECONDS);
      for (; f != null; f = finished.poll()) {
        consumer.acknowledge(polled.get(f.index()), f.disposition() == TaskBatch.Disposition.DONE ? AcknowledgeType.ACCEPT : AcknowledgeType.RELEASE);
        pending--;
        unsent = true;
      }
      if (unsent && pending > 0 && System.nanoTime() - lastCommit >= COMMIT_EVERY_NANOS) {
        consumer.commitAsync();
        unsent = false;
        lastCommit = System.nanoTime();
      }
    }
    // An acknowledgement can fail when a partition's leader goes away (a broker died), or when a
    // record's lock ran out: per partition in the answer, or as a TimeoutException. Nothing to
    // undo: the records are handed out again, and a task whose user already has an outcome is
    // acknowledged without a second send. Keep polling.
    try {
      long failed = consumer.commitSync(Duration.ofSeconds(10)).values().stream().filter(Optional::isPresent).count();
      if (failed > 0) log.warn("event=share_ack_failed records={} partitions_failed={}", polled.size(), failed);
    } catch (RetriableException e) {
      log.warn("event=share_ack_failed records={} error={}", polled.size(), e.toString());
    }
  }

  @Override
  protected void closeConsumer() {
    consumer.close(Duration.ofSeconds(10));
  }
}
