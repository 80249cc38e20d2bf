package io.wxpush.worker.credentials;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.wxpush.credentials.Credential;
import io.wxpush.wechat.push.WeChatEvent;
import io.wxpush.credentials.CredentialPool;
import io.wxpush.user.UserRef;
import io.wxpush.json.Json;
import io.wxpush.metrics.WxpushMeter;
import io.wxpush.worker.loop.Backoff;
import io.wxpush.worker.loop.ConsumerLoop;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code credentials} role: moves credentials from {@code wxpush.credentials} into the
 * users' pools, one pipelined batch per poll, and commits offsets only after Redis has the
 * batch. Writes are idempotent, so a batch redelivered after a crash changes nothing.
 *
 * <p>Commits are asynchronous (the next poll does not wait for the broker), always of offsets
 * whose records Redis already has; on partition revocation and on close those offsets are
 * committed synchronously, so a clean hand-over redelivers nothing and a crash redelivers at most
 * the batches whose commits were still in flight.
 *
 * <p>One thread owns the consumer ({@link #run()}); {@link #close()} may be called from any
 * thread and returns once the loop has committed and closed the consumer.
 */
public final class CredentialSink extends ConsumerLoop {
  private static final Logger log = LoggerFactory.getLogger(CredentialSink.class);

  private static final ObjectReader READER = Json.MAPPER.readerFor(Credential.class);

  private final Consumer<String, byte[]> consumer;
  /** Per partition, the next offset after the last record Redis has; owned by the loop thread. */
  private final Map<TopicPartition, OffsetAndMetadata> storedOffsets = new HashMap<>();
  private final String topic;
  private final CredentialPool pool;
  private final Counter stored;
  private final Counter invalid;
  private static final Backoff BACKOFF = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(10));
  /** The credentials topic's partitions this sink owns now (written on the loop thread, read by the sweeper). */
  private volatile PoolSweeper.Ownership ownership = PoolSweeper.Ownership.NONE;

  private final EventApplier events;

  CredentialSink(Consumer<String, byte[]> consumer, String topic, CredentialPool pool, MeterRegistry registry, EventApplier events) {
    super(Duration.ofSeconds(30));
    this.events = events;
    this.consumer = consumer;
    this.topic = topic;
    this.pool = pool;
    this.stored = WxpushMeter.CREDENTIALS_STORED.counter(registry);
    this.invalid = WxpushMeter.CREDENTIALS_INVALID_RECORDS.counter(registry);
  }

  @Override
  protected void loop() {
    int failures = 0;
    consumer.subscribe(List.of(topic), new ConsumerRebalanceListener() {
      @Override
      public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
        commitStored(partitions); // runs inside poll(), on this thread, between two batches
        ownership = ownership.without(partitions);
      }

      @Override
      public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
        ownership = ownership.with(partitions, consumer.partitionsFor(topic).size());
      }

      @Override
      public void onPartitionsLost(Collection<TopicPartition> partitions) {
        storedOffsets.keySet().removeAll(partitions); // another member owns them now: no commit
        ownership = ownership.without(partitions);
      }
    });
    while (running()) {
      ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofMillis(500));
      if (records.isEmpty()) continue;
      try {
        int added = store(records);
        for (TopicPartition tp : records.partitions()) {
          List<ConsumerRecord<String, byte[]>> inPartition = records.records(tp);
          storedOffsets.put(tp, new OffsetAndMetadata(inPartition.getLast().offset() + 1));
        }
        consumer.commitAsync(new HashMap<>(storedOffsets), (offsets, e) -> {
          // a later commit (or the one on revocation or close) covers these offsets too
          if (e != null) log.warn("event=sink_commit_failed error={}", e.toString());
        });
        stored.increment(added);
        failures = 0;
      } catch (RuntimeException e) {
        // Redis did not take the batch: rewind and read it again, keeping group membership.
        failures++;
        log.warn("event=sink_write_failed records={} attempt={} error={}", records.count(), failures, e.toString());
        rewind(records);
        pause(BACKOFF, failures);
      }
    }
  }

  /** Which partitions of the credentials topic this sink owns now: the index shards its process sweeps. */
  public PoolSweeper.Ownership ownership() {
    return ownership;
  }

  @Override
  protected void closeConsumer() {
    ownership = PoolSweeper.Ownership.NONE;
    try {
      commitStored(List.copyOf(storedOffsets.keySet()));
    } finally {
      consumer.close(Duration.ofSeconds(10));
    }
  }

  /** Commits, and waits for, the stored offsets of {@code partitions}, then forgets them. */
  private void commitStored(Collection<TopicPartition> partitions) {
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    for (TopicPartition tp : partitions) {
      OffsetAndMetadata o = storedOffsets.remove(tp);
      if (o != null) offsets.put(tp, o);
    }
    if (offsets.isEmpty()) return;
    try {
      consumer.commitSync(offsets, Duration.ofSeconds(10));
    } catch (RuntimeException e) {
      // the records are in Redis and writes are idempotent: at worst they are delivered again
      log.warn("event=sink_commit_failed partitions={} error={}", offsets.size(), e.toString());
    }
  }

  /**
   * Stores a batch: credentials in one pipeline per run of them, each WeChat event applied in its
   * place between them, so a user's upload and a rejection that follows it apply in that order.
   * Returns how many entries were new.
   */
  private int store(ConsumerRecords<String, byte[]> records) {
    List<Object> parsed = new ArrayList<>(records.count()); // Credential or WeChatEvent, in order
    for (ConsumerRecord<String, byte[]> record : records) {
      try {
        JsonNode tree = Json.MAPPER.readTree(record.value());
        if (tree != null && tree.has("event")) {
          WeChatEvent event = Json.MAPPER.treeToValue(tree, WeChatEvent.class);
          new UserRef(event.appId(), event.openId()); // validates the ids used in keys
          parsed.add(event);
        } else {
          Credential c = READER.readValue(tree);
          new UserRef(c.appId(), c.openId());
          parsed.add(c);
        }
      } catch (Exception e) { // a record that cannot be read is skipped: reading it again would not help
        invalid.increment();
        log.warn("event=credential_record_invalid partition={} offset={} error={}", record.partition(), record.offset(), e.getClass().getSimpleName());
      }
    }
    List<Credential> run = new ArrayList<>(parsed.size());
    int added = 0;
    for (Object item : parsed) {
      if (item instanceof Credential c) {
        run.add(c);
      } else {
        added += pool.addAll(run);
        run.clear();
        added += events.apply((WeChatEvent) item);
      }
    }
    return added + pool.addAll(run);
  }

  private void rewind(ConsumerRecords<String, byte[]> records) {
    Map<TopicPartition, Long> first = new HashMap<>();
    for (ConsumerRecord<String, byte[]> r : records) first.merge(new TopicPartition(r.topic(), r.partition()), r.offset(), Math::min);
    first.forEach(consumer::seek);
  }


}
