package io.wxpush.worker.sender;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import io.wxpush.worker.ConsumerLoop;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.ShareConsumer;
import org.apache.kafka.common.errors.RetriableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes push tasks through a Kafka share group (KIP-932): senders are not capped by the
 * partition count, each record is acknowledged on its own, and the broker counts redeliveries.
 * Every record of a poll is acknowledged (ACCEPT when done, RELEASE to be delivered again)
 * before the next poll. One thread owns the consumer ({@link #run()}).
 */
final class ShareSenderLoop extends ConsumerLoop {
  private static final Logger log = LoggerFactory.getLogger(ShareSenderLoop.class);

  private final ShareConsumer<String, byte[]> consumer;
  private final String topic;
  private final TaskBatch batch;

  ShareSenderLoop(ShareConsumer<String, byte[]> consumer, String topic, TaskBatch batch) {
    super(Duration.ofSeconds(60));
    this.consumer = consumer;
    this.topic = topic;
    this.batch = batch;
  }

  @Override
  protected void loop() throws InterruptedException {
    consumer.subscribe(Set.of(topic));
    while (running()) {
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
      // An acknowledgement can fail when a partition's leader goes away (a broker died): per
      // partition in the answer, or as a TimeoutException. Nothing to undo: the new leader hands
      // the records out again, and a task whose user already has an outcome is acknowledged
      // without a second send. Keep polling.
      try {
        long failed = consumer.commitSync(Duration.ofSeconds(10)).values().stream().filter(Optional::isPresent).count();
        if (failed > 0) log.warn("event=share_ack_failed records={} partitions_failed={}", polled.size(), failed);
      } catch (RetriableException e) {
        log.warn("event=share_ack_failed records={} error={}", polled.size(), e.toString());
      }
    }
  }

  @Override
  protected void closeConsumer() {
    consumer.close(Duration.ofSeconds(10));
  }
}
