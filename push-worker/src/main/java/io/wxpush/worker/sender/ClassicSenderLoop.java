package io.wxpush.worker.sender;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import io.wxpush.worker.ConsumerLoop;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;

/**
 * Takes push tasks through a classic consumer group, for brokers older than Kafka 4.2: senders
 * are capped by the partition count. Offsets are committed once every task of the poll is done;
 * a task to be delivered again rewinds its partition to it. One thread owns the consumer.
 */
final class ClassicSenderLoop extends ConsumerLoop {
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(ClassicSenderLoop.class);
  private final Consumer<String, byte[]> consumer;
  private final String topic;
  private final TaskBatch batch;

  ClassicSenderLoop(Consumer<String, byte[]> consumer, String topic, TaskBatch batch) {
    super(Duration.ofSeconds(60));
    this.consumer = consumer;
    this.topic = topic;
    this.batch = batch;
  }

  @Override
  protected void loop() throws InterruptedException {
    consumer.subscribe(List.of(topic));
    while (running()) {
      ConsumerRecords<String, byte[]> records = poll();
      if (records.isEmpty()) continue;
      List<ConsumerRecord<String, byte[]>> polled = new ArrayList<>(records.count());
      List<TaskBatch.Item> items = new ArrayList<>(records.count());
      for (ConsumerRecord<String, byte[]> r : records) {
        polled.add(r);
        items.add(new TaskBatch.Item(r.value(), 1));
      }
      List<TaskBatch.Disposition> done = batch.run(items);
      Map<TopicPartition, Long> rewind = new HashMap<>();
      for (int i = 0; i < polled.size(); i++) {
        if (done.get(i) == TaskBatch.Disposition.REDELIVER) {
          ConsumerRecord<String, byte[]> r = polled.get(i);
          rewind.merge(new TopicPartition(r.topic(), r.partition()), r.offset(), Math::min);
        }
      }
      if (rewind.isEmpty()) {
        commit(null);
      } else {
        // Commit what is done up to the first task to run again; later done tasks rerun
        // harmlessly (each user's outcome is recorded once).
        Map<TopicPartition, org.apache.kafka.clients.consumer.OffsetAndMetadata> commits = new HashMap<>();
        for (TopicPartition tp : records.partitions()) {
          Long first = rewind.get(tp);
          long next = first != null ? first : records.records(tp).getLast().offset() + 1;
          commits.put(tp, new org.apache.kafka.clients.consumer.OffsetAndMetadata(next));
        }
        commit(commits);
        rewind.forEach(consumer::seek);
      }
    }
  }

  private ConsumerRecords<String, byte[]> poll() {
    try {
      return consumer.poll(Duration.ofMillis(500));
    } catch (org.apache.kafka.common.errors.InconsistentGroupProtocolException e) {
      // Kafka's own message names no cause an operator would recognise
      throw new IllegalStateException("consumer group " + consumer.groupMetadata().groupId() + " is already another kind of group,"
          + " most likely the share group of senders in SENDER_MODE=share: run every sender in one SENDER_MODE, or delete that"
          + " share group once no share-mode sender is left (kafka-share-groups.sh --delete --group ...)", e);
    }
  }

  /**
   * Commits (the current positions when {@code offsets} is null). A commit that fails because
   * the group moved the partitions or a broker went away is not the end of the loop: the tasks
   * run again wherever the partitions go (each user's outcome is recorded once), and the next
   * commit covers these offsets where they stay.
   */
  private void commit(Map<TopicPartition, org.apache.kafka.clients.consumer.OffsetAndMetadata> offsets) {
    try {
      if (offsets == null) consumer.commitSync();
      else consumer.commitSync(offsets);
    } catch (org.apache.kafka.clients.consumer.CommitFailedException | org.apache.kafka.common.errors.RetriableException e) {
      log.warn("event=sender_commit_failed error={}", e.toString());
    }
  }

  @Override
  protected void closeConsumer() {
    consumer.close(Duration.ofSeconds(10));
  }
}
