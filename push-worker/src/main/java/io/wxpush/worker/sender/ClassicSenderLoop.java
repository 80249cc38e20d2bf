package io.wxpush.worker.sender;

import io.wxpush.worker.loop.ConsumerLoop;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InconsistentGroupProtocolException;
import org.apache.kafka.common.errors.RetriableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes push tasks through a classic consumer group, for brokers older than Kafka 4.2: senders
 * are capped by the partition count. Offsets are committed once every task of the poll is done;
 * a task to be delivered again rewinds its partition to it. A classic group counts no
 * redeliveries, so this loop counts the times it rewound to each record: the hand-out that
 * reaches {@code TASK_MAX_DELIVERIES} gives up into the DLQ instead of rewinding again. One
 * thread owns the consumer.
 */
final class ClassicSenderLoop extends ConsumerLoop {
  private static final Logger log = LoggerFactory.getLogger(ClassicSenderLoop.class);
  private final Consumer<String, byte[]> consumer;
  private final String topic;
  private final TaskBatch batch;
  private final Duration taskBudget;
  /** Times each record was handed out by this loop, until it is committed past. */
  private final Map<TopicPartition, Map<Long, Integer>> handedOut = new HashMap<>();

  /** @param taskBudget how long the tasks of one poll may run before they must be done or handed back */
  ClassicSenderLoop(Consumer<String, byte[]> consumer, String topic, TaskBatch batch, Duration taskBudget) {
    super(Duration.ofSeconds(60));
    this.consumer = consumer;
    this.topic = topic;
    this.batch = batch;
    this.taskBudget = taskBudget;
  }

  @Override
  protected void loop() throws InterruptedException {
    consumer.subscribe(List.of(topic));
    while (running()) {
      ConsumerRecords<String, byte[]> records = poll();
      if (records.isEmpty()) continue;
      long deadline = System.nanoTime() + taskBudget.toNanos();
      List<ConsumerRecord<String, byte[]>> polled = new ArrayList<>(records.count());
      List<TaskBatch.Item> items = new ArrayList<>(records.count());
      for (ConsumerRecord<String, byte[]> r : records) {
        polled.add(r);
        int count = handedOut.computeIfAbsent(new TopicPartition(r.topic(), r.partition()), tp -> new HashMap<>())
            .merge(r.offset(), 1, Integer::sum);
        items.add(new TaskBatch.Item(r.value(), count));
      }
      List<TaskBatch.Disposition> done = batch.run(items, deadline);
      Map<TopicPartition, Long> rewind = new HashMap<>();
      for (int i = 0; i < polled.size(); i++) {
        if (done.get(i) == TaskBatch.Disposition.REDELIVER) {
          ConsumerRecord<String, byte[]> r = polled.get(i);
          rewind.merge(new TopicPartition(r.topic(), r.partition()), r.offset(), Math::min);
        }
      }
      // Commit what is done up to the first task to run again; later done tasks rerun
      // harmlessly (their users' ledger entries are final, so they only record their outcome again).
      Map<TopicPartition, OffsetAndMetadata> commits = new HashMap<>();
      for (TopicPartition tp : records.partitions()) {
        Long first = rewind.get(tp);
        commits.put(tp, new OffsetAndMetadata(first != null ? first : records.records(tp).getLast().offset() + 1));
      }
      commit(commits);
      rewind.forEach(consumer::seek);
      handedOut.keySet().retainAll(consumer.assignment());
      commits.forEach((tp, next) -> {
        Map<Long, Integer> counts = handedOut.get(tp);
        if (counts != null) counts.keySet().removeIf(offset -> offset < next.offset());
      });
    }
  }

  private ConsumerRecords<String, byte[]> poll() {
    try {
      return consumer.poll(Duration.ofMillis(500));
    } catch (InconsistentGroupProtocolException e) {
      // Kafka's own message names no cause an operator would recognise
      throw new IllegalStateException("consumer group " + consumer.groupMetadata().groupId() + " is already another kind of group,"
          + " most likely the share group of senders in SENDER_MODE=share: run every sender in one SENDER_MODE, or delete that"
          + " share group once no share-mode sender is left (kafka-share-groups.sh --delete --group ...)", e);
    }
  }

  /**
   * A commit that fails because the group moved the partitions or a broker went away is not the
   * end of the loop: the tasks run again wherever the partitions go (each user's outcome is
   * recorded once), and the next commit covers these offsets where they stay.
   */
  private void commit(Map<TopicPartition, OffsetAndMetadata> offsets) {
    try {
      consumer.commitSync(offsets);
    } catch (CommitFailedException | RetriableException e) {
      log.warn("event=sender_commit_failed error={}", e.toString());
    }
  }

  @Override
  protected void closeConsumer() {
    consumer.close(Duration.ofSeconds(10));
  }
}
