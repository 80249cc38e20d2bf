package io.wxpush.worker.credentials;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.wxpush.credentials.Credential;
import io.wxpush.credentials.CredentialPool;
import io.wxpush.credentials.UserRef;
import io.wxpush.json.Json;
import io.wxpush.metrics.WxpushMeter;
import io.wxpush.worker.Backoff;
import io.wxpush.worker.ConsumerLoop;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code credentials} role: moves credentials from {@code wxpush.credentials} into the
 * users' pools, one pipelined batch per poll, and commits offsets only after Redis has the
 * batch. Writes are idempotent, so a batch redelivered after a crash changes nothing.
 *
 * <p>One thread owns the consumer ({@link #run()}); {@link #close()} may be called from any
 * thread and returns once the loop has committed and closed the consumer.
 */
public final class CredentialSink extends ConsumerLoop {
  private static final Logger log = LoggerFactory.getLogger(CredentialSink.class);

  private final Consumer<String, byte[]> consumer;
  private final String topic;
  private final CredentialPool pool;
  private final Counter stored;
  private final Counter invalid;
  private static final Backoff BACKOFF = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(10));

  public CredentialSink(Consumer<String, byte[]> consumer, String topic, CredentialPool pool, MeterRegistry registry) {
    super(Duration.ofSeconds(30));
    this.consumer = consumer;
    this.topic = topic;
    this.pool = pool;
    this.stored = WxpushMeter.CREDENTIALS_STORED.counter(registry);
    this.invalid = WxpushMeter.CREDENTIALS_INVALID_RECORDS.counter(registry);
  }

  @Override
  protected void loop() {
    int failures = 0;
    consumer.subscribe(List.of(topic));
    while (running()) {
      ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofMillis(500));
      if (records.isEmpty()) continue;
      try {
        int added = pool.addAll(parse(records));
        consumer.commitSync();
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

  @Override
  protected void closeConsumer() {
    consumer.close(Duration.ofSeconds(10));
  }

  private List<Credential> parse(ConsumerRecords<String, byte[]> records) {
    List<Credential> batch = new ArrayList<>(records.count());
    for (ConsumerRecord<String, byte[]> record : records) {
      try {
        Credential c = Json.MAPPER.readValue(record.value(), Credential.class);
        new UserRef(c.appId(), c.openId()); // validates the ids used in keys
        batch.add(c);
      } catch (Exception e) {
        invalid.increment();
        log.warn("event=credential_record_invalid partition={} offset={} error={}", record.partition(), record.offset(), e.getClass().getSimpleName());
      }
    }
    return batch;
  }

  private void rewind(ConsumerRecords<String, byte[]> records) {
    Map<TopicPartition, Long> first = new HashMap<>();
    for (ConsumerRecord<String, byte[]> r : records) first.merge(new TopicPartition(r.topic(), r.partition()), r.offset(), Math::min);
    first.forEach(consumer::seek);
  }


}
