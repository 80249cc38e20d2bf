package io.wxpush.ingest.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.wxpush.ingest.auth.ApiKey;
import io.wxpush.metrics.WxpushMeter;
import io.wxpush.secret.Secret;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** What the audit trail does with a change once made: the recent log, the topic, and what happens when either fails. */
class AuditTrailTest {
  private static final String KEY = "key-one-0123456789abcdefgh";
  private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-05T12:00:00Z"), ZoneOffset.UTC);
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final MockProducer<String, byte[]> producer = new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer());
  private final List<AuditRecord> recent = new CopyOnWriteArrayList<>();

  private AuditTrail trail(java.util.function.Consumer<AuditRecord> log) {
    return new AuditTrail(log, producer, "wxpush.audit", CLOCK, registry, List.of(Duration.ofMillis(10), Duration.ofMillis(20)));
  }

  private double count(String outcome) {
    return WxpushMeter.AUDIT_RECORDS.counter(registry, outcome).count();
  }

  @Test
  void aChangeIsOneRecordInTheRecentLogAndOneOnTheTopicKeyedByItsAppNamingTheKeyByItsHashOnly() {
    try (AuditTrail trail = trail(recent::add)) {
      trail.changed(ApiKey.everyApp(Secret.of(KEY)), "wxa", AuditAction.PUSH_CANCEL, "order-1", "cancelled");
      AuditRecord expected = new AuditRecord(CLOCK.millis(), "wxa", "push.cancel", "order-1", "55a4f540", "cancelled");
      assertThat(recent).containsExactly(expected);
      await().atMost(Duration.ofSeconds(5)).until(() -> producer.history().size() == 1);
      var sent = producer.history().get(0);
      assertThat(sent.topic()).isEqualTo("wxpush.audit");
      assertThat(sent.key()).isEqualTo("wxa");
      String json = new String(sent.value(), StandardCharsets.UTF_8);
      assertThat(json).isEqualTo("{\"v\":1,\"at\":" + CLOCK.millis()
          + ",\"app\":\"wxa\",\"action\":\"push.cancel\",\"target\":\"order-1\",\"key\":\"55a4f540\",\"outcome\":\"cancelled\"}");
      assertThat(AuditRecord.decode(sent.value())).isEqualTo(expected);
      assertThat(json).doesNotContain(KEY);
      await().atMost(Duration.ofSeconds(5)).until(() -> count("published") == 1);
    }
  }

  @Test
  void aPublishKafkaRefusesIsTriedAgainThenCountedLostAndTheCallerNeverHearsOfIt() {
    producer.sendException = new TimeoutException("no broker");
    try (AuditTrail trail = trail(recent::add)) {
      trail.changed(ApiKey.everyApp(Secret.of(KEY)), "wxa", AuditAction.POLICY_PUT, "policy", "replaced"); // returns, does not throw
      assertThat(recent).hasSize(1);
      await().atMost(Duration.ofSeconds(5)).until(() -> count("lost") == 1);
      assertThat(count("retried")).isEqualTo(2);
      assertThat(count("published")).isZero();
    }
  }

  @Test
  void aRecordRedisRefusesIsStillPublished() {
    try (AuditTrail trail = trail(r -> {
      throw new redis.clients.jedis.exceptions.JedisConnectionException("Redis is away");
    })) {
      trail.changed(ApiKey.everyApp(Secret.of(KEY)), "wxa", AuditAction.PUSH_CREATE, "order-2", "accepted");
      assertThat(count("redis_failed")).isEqualTo(1);
      await().atMost(Duration.ofSeconds(5)).until(() -> count("published") == 1);
      assertThat(producer.history()).hasSize(1);
    }
  }
}
