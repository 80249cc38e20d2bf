package io.wxpush.worker.fanout;

import io.wxpush.kafka.KafkaUnavailableException;
import io.wxpush.push.PushCommand;
import io.wxpush.push.PushCommandCodec;
import io.wxpush.push.PushRequestParser;
import io.wxpush.redis.StoreUnavailableException;
import io.wxpush.worker.loop.Backoff;
import io.wxpush.worker.loop.ConsumerLoop;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RetriableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.exceptions.JedisClusterOperationException;
import redis.clients.jedis.exceptions.JedisConnectionException;

/**
 * The {@code fanout} role: consumes {@code wxpush.push-requests} in a consumer group, reads each
 * record once into a {@link PushCommand} (a request, a retry round, a resume) and runs it on the
 * {@link Fanout}, committing a request's offset only once its fan-out finished.
 * An outage is retried for as long as it lasts; a request that cannot be processed (unreadable,
 * breaking the API's rules, or failing {@value #MAX_TRIES} tries for another reason) goes to the
 * DLQ with why, its status says {@code failed}, and the partition moves on.
 * One thread owns the consumer ({@link #run()}); {@link #close()} may be called from any thread.
 */
public final class FanoutWorker extends ConsumerLoop {
  private static final Logger log = LoggerFactory.getLogger(FanoutWorker.class);

  /** Tries of one request that fail for a reason that is not an outage before it goes to the DLQ. */
  static final int MAX_TRIES = 3;

  private final Consumer<String, byte[]> consumer;
  private final String topic;
  private final Fanout fanout;
  private final PushCommandCodec codec;
  private final Rejects rejects;
  private static final Backoff BACKOFF = new Backoff(Duration.ofMillis(200), Duration.ofSeconds(10));

  /** Where a request that cannot be processed goes: the DLQ with why, and its status {@code failed}. */
  public interface Rejects {
    void reject(ConsumerRecord<String, byte[]> record, String requestId, String appId, String reason, int tries);
  }

  /** @param parser the API's own rules, applied to requests published straight to Kafka too */
  public FanoutWorker(Consumer<String, byte[]> consumer, String topic, Fanout fanout, PushRequestParser parser, Rejects rejects) {
    super(Duration.ofSeconds(60));
    this.consumer = consumer;
    this.topic = topic;
    this.fanout = fanout;
    this.codec = new PushCommandCodec(parser);
    this.rejects = rejects;
  }

  /** An outage (Redis, Kafka) is waited out however long it lasts; anything else is the request's own fault after a few tries. */
  static boolean isOutage(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof StoreUnavailableException || t instanceof JedisConnectionException
          || t instanceof JedisClusterOperationException || t instanceof KafkaUnavailableException
          || t instanceof RetriableException || t instanceof InterruptedException) {
        return true;
      }
    }
    return false;
  }

  @Override
  protected void loop() {
    int failures = 0;
    Map<TopicPartition, Integer> tries = new HashMap<>(); // of the first unfinished request of each partition
    consumer.subscribe(List.of(topic));
    while (running()) {
      ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofMillis(500));
      Map<TopicPartition, Long> firstUnfinished = new HashMap<>();
      for (ConsumerRecord<String, byte[]> record : records) {
        TopicPartition tp = new TopicPartition(record.topic(), record.partition());
        if (firstUnfinished.containsKey(tp)) continue; // an earlier request of this partition failed
        PushCommand command;
        try {
          command = codec.decode(record.key(), record.value()); // read once
        } catch (PushCommandCodec.Unreadable r) {
          rejectAndSkip(tp, record, r.requestId(), r.appId(), r.reason(), 1, tries);
          continue;
        }
        try {
          switch (command) {
            case PushCommand.Resume r -> fanout.resume(r.id()); // quiet hours ended for a waiting push
            case PushCommand.RetryRound r -> fanout.retry(r.id(), r.round()); // POST …/retry
            case PushCommand.Request r -> fanout.run(r.request());
          }
          commit(tp, record);
          tries.remove(tp);
          failures = 0;
        } catch (Exception e) {
          failures++;
          log.warn("event={} requestId={} attempt={} error={}", failedEvent(command), command.requestId(), failures, e.toString());
          if (command instanceof PushCommand.Request r) {
            int tried = tries.merge(tp, 1, Integer::sum);
            if (!isOutage(e) && tried >= MAX_TRIES) {
              rejectAndSkip(tp, record, r.requestId(), r.request().appId(), "fanout_failed_" + e.getClass().getSimpleName(), tried, tries);
              continue;
            }
          }
          firstUnfinished.put(tp, record.offset());
        }
      }
      if (!firstUnfinished.isEmpty()) {
        firstUnfinished.forEach(consumer::seek); // run them again, resuming from their cursors
        pause(BACKOFF, failures);
      }
    }
  }

  private static String failedEvent(PushCommand command) {
    return switch (command) {
      case PushCommand.Resume r -> "resume_failed";
      case PushCommand.RetryRound r -> "retry_failed";
      case PushCommand.Request r -> "fanout_failed";
    };
  }

  /** Into the DLQ with why, the status {@code failed}, and the partition moves on; an outage doing that is waited out. */
  private void rejectAndSkip(TopicPartition tp, ConsumerRecord<String, byte[]> record, String rid, String app, String reason, int tried,
      Map<TopicPartition, Integer> tries) {
    for (int attempt = 1; running(); attempt++) {
      try {
        rejects.reject(record, rid, app, reason, tried);
        break;
      } catch (RuntimeException e) {
        log.warn("event=push_request_reject_failed requestId={} attempt={} error={}", rid, attempt, e.toString());
        pause(BACKOFF, attempt);
      }
    }
    log.warn("event=push_request_dead_lettered requestId={} partition={} offset={} reason={} tries={}", rid, record.partition(),
        record.offset(), reason, tried);
    commit(tp, record);
    tries.remove(tp);
  }

  private void commit(TopicPartition tp, ConsumerRecord<String, byte[]> record) {
    consumer.commitSync(Map.of(tp, new OffsetAndMetadata(record.offset() + 1)));
  }

  @Override
  protected void closeConsumer() {
    consumer.close(Duration.ofSeconds(10));
  }


}
