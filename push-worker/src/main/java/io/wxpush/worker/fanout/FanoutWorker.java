package io.wxpush.worker.fanout;

import io.wxpush.json.Json;
import io.wxpush.push.PushRequest;
import io.wxpush.worker.loop.Backoff;
import io.wxpush.worker.loop.ConsumerLoop;
import java.time.Duration;
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
 * The {@code fanout} role: consumes {@code wxpush.push-requests} in a consumer group and runs
 * each request's {@link Fanout}, committing a request's offset only once its fan-out finished.
 * One thread owns the consumer ({@link #run()}); {@link #close()} may be called from any thread.
 */
public final class FanoutWorker extends ConsumerLoop {
  private static final Logger log = LoggerFactory.getLogger(FanoutWorker.class);

  private final Consumer<String, byte[]> consumer;
  private final String topic;
  private final Fanout fanout;
  private static final Backoff BACKOFF = new Backoff(Duration.ofMillis(200), Duration.ofSeconds(10));

  public FanoutWorker(Consumer<String, byte[]> consumer, String topic, Fanout fanout) {
    super(Duration.ofSeconds(60));
    this.consumer = consumer;
    this.topic = topic;
    this.fanout = fanout;
  }

  @Override
  protected void loop() {
    int failures = 0;
    consumer.subscribe(List.of(topic));
    while (running()) {
      ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofMillis(500));
      Map<TopicPartition, Long> firstUnfinished = new HashMap<>();
      for (ConsumerRecord<String, byte[]> record : records) {
        TopicPartition tp = new TopicPartition(record.topic(), record.partition());
        if (firstUnfinished.containsKey(tp)) continue; // an earlier request of this partition failed
        try {
          PushRequest request = Json.MAPPER.readValue(record.value(), PushRequest.class);
          fanout.run(request);
          consumer.commitSync(Map.of(tp, new org.apache.kafka.clients.consumer.OffsetAndMetadata(record.offset() + 1)));
          failures = 0;
        } catch (com.fasterxml.jackson.core.JacksonException e) {
          log.warn("event=push_request_unreadable partition={} offset={} error={}", record.partition(), record.offset(), e.getClass().getSimpleName());
          consumer.commitSync(Map.of(tp, new org.apache.kafka.clients.consumer.OffsetAndMetadata(record.offset() + 1)));
        } catch (Exception e) {
          failures++;
          log.warn("event=fanout_failed requestId={} attempt={} error={}", record.key(), failures, e.toString());
          firstUnfinished.put(tp, record.offset());
        }
      }
      if (!firstUnfinished.isEmpty()) {
        firstUnfinished.forEach(consumer::seek); // run them again, resuming from their cursors
        pause(BACKOFF, failures);
      }
    }
  }

  @Override
  protected void closeConsumer() {
    consumer.close(Duration.ofSeconds(10));
  }


}
