package io.wxpush.ingest.audit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.wxpush.ingest.auth.ApiKey;
import io.wxpush.metrics.WxpushMeter;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the audit record of a change the push API made, after its effect is durable: first to the
 * app's recent log in Redis ({@link AuditLog}, read by {@code GET /v1/audit} as soon as the call
 * is answered), then to the topic {@code wxpush.audit} (key: the appId, so one app's records keep
 * their order), published from one thread so a slow or absent broker never holds up an answer.
 *
 * <p>The change is made whatever happens here, so a failure never fails the call: a Redis failure
 * leaves the record out of {@code GET /v1/audit} (still on the topic); a publish Kafka refuses is
 * tried again after each of {@link #RETRY_AFTER}, then given up, logged at ERROR with the whole
 * record ({@code event=audit_lost}) and counted ({@link WxpushMeter#AUDIT_RECORDS}
 * {@code outcome=lost}). Thread-safe.
 */
public final class AuditTrail implements AuditSink, AutoCloseable {
  /** The waits before the second and later publishes of a record Kafka refused (each after the producer's own retries). */
  public static final List<Duration> RETRY_AFTER = List.of(Duration.ofSeconds(1), Duration.ofSeconds(5));

  /**
   * The audit topic's config when ingest-api creates it: records kept 400 days (Kafka's default is
   * 7), as the topic holds the trail past {@link AuditLog#KEEP}. Set {@code retention.ms} on the
   * topic to keep them longer; an existing topic keeps its own.
   */
  public static final Map<String, String> TOPIC_CONFIG = Map.of("retention.ms", Long.toString(Duration.ofDays(400).toMillis()));

  private static final Logger log = LoggerFactory.getLogger(AuditTrail.class);

  private final Consumer<AuditRecord> recent;
  private final List<Duration> retryAfter;
  private final Producer<String, byte[]> producer;
  private final String topic;
  private final Clock clock;
  private final ScheduledExecutorService publisher = Executors.newSingleThreadScheduledExecutor(
      Thread.ofPlatform().name("audit-publish").daemon().factory());
  private final Counter published;
  private final Counter redisFailed;
  private final Counter retried;
  private final Counter lost;

  public AuditTrail(AuditLog recent, Producer<String, byte[]> producer, String topic, Clock clock, MeterRegistry registry) {
    this(recent::append, producer, topic, clock, registry, RETRY_AFTER);
  }

  /** @param recent appends a record to the recent log ({@link AuditLog#append} here; a fake in tests without Redis) */
  AuditTrail(Consumer<AuditRecord> recent, Producer<String, byte[]> producer, String topic, Clock clock, MeterRegistry registry,
      List<Duration> retryAfter) {
    this.recent = recent;
    this.retryAfter = List.copyOf(retryAfter);
    this.producer = producer;
    this.topic = topic;
    this.clock = clock;
    this.published = WxpushMeter.AUDIT_RECORDS.counter(registry, "published");
    this.redisFailed = WxpushMeter.AUDIT_RECORDS.counter(registry, "redis_failed");
    this.retried = WxpushMeter.AUDIT_RECORDS.counter(registry, "retried");
    this.lost = WxpushMeter.AUDIT_RECORDS.counter(registry, "lost");
  }

  @Override
  public void changed(ApiKey key, String app, AuditAction action, String target, String outcome) {
    AuditRecord record = new AuditRecord(clock.millis(), app, action.wire(), target, key.auditName(), outcome);
    try {
      recent.accept(record);
    } catch (RuntimeException e) {
      redisFailed.increment();
      log.error("event=audit_redis_failed app={} action={} target={} key={} error={}", app, record.action(), target, record.key(), e.toString());
    }
    try {
      publisher.execute(() -> publish(record, 0));
    } catch (RuntimeException e) { // closing: the API no longer answers, but this call's change is made
      gaveUp(record, e);
    }
  }

  private void publish(AuditRecord record, int attempt) {
    try {
      producer.send(new ProducerRecord<>(topic, record.app(), record.encode()), (metadata, e) -> {
        if (e == null) published.increment();
        else refused(record, attempt, e);
      });
    } catch (RuntimeException e) { // send() itself: no metadata within max.block.ms, or the producer closed
      refused(record, attempt, e);
    }
  }

  private void refused(AuditRecord record, int attempt, Exception e) {
    if (attempt >= retryAfter.size()) {
      gaveUp(record, e);
      return;
    }
    retried.increment();
    log.warn("event=audit_publish_failed app={} action={} target={} attempt={} error={}", record.app(), record.action(), record.target(),
        attempt + 1, e.toString());
    try {
      publisher.schedule(() -> publish(record, attempt + 1), retryAfter.get(attempt).toMillis(), TimeUnit.MILLISECONDS);
    } catch (RuntimeException closed) {
      gaveUp(record, e);
    }
  }

  private void gaveUp(AuditRecord record, Exception e) {
    lost.increment();
    // the record itself holds no secret (the key's 8-hex name only): the log is its last copy
    log.error("event=audit_lost topic={} record={} error={}", topic, new String(record.encode(), java.nio.charset.StandardCharsets.UTF_8),
        e.toString());
  }

  /** Publishes what is queued (waiting up to 10 s for retries due by then), then stops; call before the producer closes. */
  @Override
  public void close() {
    publisher.shutdown();
    try {
      if (!publisher.awaitTermination(10, TimeUnit.SECONDS)) publisher.shutdownNow();
    } catch (InterruptedException e) {
      publisher.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }
}
