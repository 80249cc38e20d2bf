package io.wxpush.worker.sender;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import io.wxpush.worker.ConsumerLoop;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.ShareConsumer;

/**
 * Takes push tasks through a Kafka share group (KIP-932): senders are not capped by the
 * partition count, each record is acknowledged on its own, and the broker counts redeliveries.
 * Every record of a poll is acknowledged (ACCEPT when done, RELEASE to be delivered again)
 * before the next poll. One thread owns the consumer ({@link #run()}).
 */
final class ShareSenderLoop extends ConsumerLoop {

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
      consumer.commitSync(Duration.ofSeconds(10));
    }
  }

  @Override
  protected void closeConsumer() {
    consumer.close(Duration.ofSeconds(10));
  }
}
