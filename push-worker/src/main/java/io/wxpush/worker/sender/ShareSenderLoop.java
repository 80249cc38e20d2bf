package io.wxpush.worker.sender;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.ShareConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes push tasks through a Kafka share group (KIP-932): senders are not capped by the
 * partition count, each record is acknowledged on its own, and the broker counts redeliveries.
 * Every record of a poll is acknowledged (ACCEPT when done, RELEASE to be delivered again)
 * before the next poll. One thread owns the consumer ({@link #run()}).
 */
final class ShareSenderLoop implements Runnable, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ShareSenderLoop.class);

  private final ShareConsumer<String, byte[]> consumer;
  private final String topic;
  private final TaskBatch batch;
  private final CountDownLatch finished = new CountDownLatch(1);
  private volatile boolean running = true;

  ShareSenderLoop(ShareConsumer<String, byte[]> consumer, String topic, TaskBatch batch) {
    this.consumer = consumer;
    this.topic = topic;
    this.batch = batch;
  }

  @Override
  public void run() {
    try {
      consumer.subscribe(Set.of(topic));
      while (running) {
        ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofMillis(500));
        if (records.isEmpty()) continue;
        List<ConsumerRecord<String, byte[]>> polled = new ArrayList<>(records.count());
        List<TaskBatch.Item> items = new ArrayList<>(records.count());
        for (ConsumerRecord<String, byte[]> r : records) {
          polled.add(r);
          items.add(new TaskBatch.Item(r.value(), r.deliveryCount().map(Short::intValue).orElse(1)));
        }
        List<TaskBatch.Disposition> done = batch.run(items);
        for (int i = 0; i < polled.size(); i++) {
          consumer.acknowledge(polled.get(i), done.get(i) == TaskBatch.Disposition.DONE ? AcknowledgeType.ACCEPT : AcknowledgeType.RELEASE);
        }
        consumer.commitSync(Duration.ofSeconds(10));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (org.apache.kafka.common.errors.WakeupException e) {
      if (running) throw e;
    } catch (RuntimeException e) {
      log.error("event=sender_loop_failed error={}", e.toString(), e);
      throw e;
    } finally {
      try {
        consumer.close(Duration.ofSeconds(10));
      } finally {
        finished.countDown();
      }
    }
  }

  /** Stops polling; the batch in hand finishes and is acknowledged first. Blocks up to 60 s. */
  @Override
  public void close() throws InterruptedException {
    running = false;
    finished.await(60, TimeUnit.SECONDS);
  }
}
