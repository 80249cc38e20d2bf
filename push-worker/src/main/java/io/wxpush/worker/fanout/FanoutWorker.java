package io.wxpush.worker.fanout;

import io.wxpush.json.Json;
import io.wxpush.push.PushRequest;
import io.wxpush.push.PushRequestParser;
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
  private final PushRequestParser parser;
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
    this.parser = parser;
    this.rejects = rejects;
  }

  /** An outage (Redis, Kafka) is waited out however long it lasts; anything else is the request's own fault after a few tries. */
  static boolean isOutage(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof io.wxpush.redis.StoreUnavailableException || t instanceof redis.clients.jedis.exceptions.JedisConnectionException
          || t instanceof redis.clients.jedis.exceptions.JedisClusterOperationException || t instanceof io.wxpush.kafka.KafkaUnavailableException
          || t instanceof org.apache.kafka.common.errors.RetriableException || t instanceof InterruptedException) {
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
        if (isResume(record)) { // quiet hours ended for a waiting push
          try {
            fanout.resume(record.key());
            commit(tp, record);
            failures = 0;
          } catch (Exception e) {
            failures++;
            log.warn("event=resume_failed requestId={} attempt={} error={}", record.key(), failures, e.toString());
            firstUnfinished.put(tp, record.offset());
          }
          continue;
        }
        if (retryRound(record) > 0) { // POST …/retry: a round of the push's retryable users
          try {
            fanout.retry(record.key(), retryRound(record));
            commit(tp, record);
            failures = 0;
          } catch (Exception e) {
            failures++;
            log.warn("event=retry_failed requestId={} attempt={} error={}", record.key(), failures, e.toString());
            firstUnfinished.put(tp, record.offset());
          }
          continue;
        }
        PushRequest request;
        try {
          request = readable(record);
        } catch (Rejected r) {
          rejectAndSkip(tp, record, r.requestId, r.appId, r.getMessage(), 1, tries);
          continue;
        }
        try {
          fanout.run(request);
          commit(tp, record);
          tries.remove(tp);
          failures = 0;
        } catch (Exception e) {
          failures++;
          int tried = tries.merge(tp, 1, Integer::sum);
          log.warn("event=fanout_failed requestId={} attempt={} error={}", record.key(), tried, e.toString());
          if (!isOutage(e) && tried >= MAX_TRIES) {
            rejectAndSkip(tp, record, request.requestId(), request.appId(), "fanout_failed_" + e.getClass().getSimpleName(), tried, tries);
            continue;
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

  /** The retry round a record asks for ({@code {"v":1,"requestId","retry":n}}), or 0 for a push request. */
  private static long retryRound(ConsumerRecord<String, byte[]> record) {
    try {
      com.fasterxml.jackson.databind.JsonNode node = Json.MAPPER.readTree(record.value());
      return node != null && node.path("retry").isIntegralNumber() && record.key() != null ? node.path("retry").asLong() : 0;
    } catch (Exception e) {
      return 0;
    }
  }

  /** A resume record ({@code {"v":1,"requestId","resume":true}}), published when a push's quiet hours end. */
  static boolean isResume(ConsumerRecord<String, byte[]> record) {
    try {
      com.fasterxml.jackson.databind.JsonNode node = Json.MAPPER.readTree(record.value());
      return node != null && node.path("resume").asBoolean(false) && record.key() != null;
    } catch (Exception e) {
      return false;
    }
  }

  /** The resume record of a push. */
  public static byte[] resumeRecord(String requestId) {
    return Json.write(Map.of("v", 1, "requestId", requestId, "resume", true));
  }

  /** A request that can never be processed. */
  private static final class Rejected extends Exception {
    final String requestId;
    final String appId;

    Rejected(String reason, String requestId, String appId) {
      super(reason, null, false, false);
      this.requestId = requestId;
      this.appId = appId;
    }
  }

  /** The record as a request the API would have accepted; {@link Rejected} with why when it is not one. */
  private PushRequest readable(ConsumerRecord<String, byte[]> record) throws Rejected {
    com.fasterxml.jackson.databind.JsonNode node;
    try {
      node = Json.MAPPER.readTree(record.value());
    } catch (Exception e) {
      throw new Rejected("unreadable", record.key(), null);
    }
    if (node == null || !node.isObject()) throw new Rejected("unreadable", record.key(), null);
    String rid = node.path("requestId").isTextual() ? node.path("requestId").asText() : null;
    String app = node.path("appId").isTextual() ? node.path("appId").asText() : null;
    if (rid == null) throw new Rejected("invalid_request_requestId_missing", record.key(), app);
    return switch (parser.parse(node)) {
      case PushRequestParser.Valid v -> v.request();
      case PushRequestParser.Invalid i -> throw new Rejected("invalid_request_" + i.errors().getFirst().get("field"), rid, app);
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
    consumer.commitSync(Map.of(tp, new org.apache.kafka.clients.consumer.OffsetAndMetadata(record.offset() + 1)));
  }

  @Override
  protected void closeConsumer() {
    consumer.close(Duration.ofSeconds(10));
  }


}
