package io.wxpush.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.wxpush.testkit.RealServices;
import io.wxpush.testkit.TestEnv;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(RealServices.class)
class KafkaRoundTripIT {

  @Test
  void recordsRoundTripThroughTheRealBrokerToAClassicAndAShareConsumer(TestEnv env) throws Exception {
    String topic = env.topic("roundtrip");
    String shareGroup = env.group("share");
    try (Admin admin = KafkaClients.admin(env.kafkaBootstrapServers(), "it-admin")) {
      TopicAdmin topics = new TopicAdmin(admin, 3, Optional.empty());
      topics.ensureTopics(List.of(topic));
      topics.ensureTopics(List.of(topic)); // idempotent
      assertThat(admin.listTopics().names().get()).contains(topic);
      // Set before the first member joins, so records produced earlier are delivered.
      topics.configureShareGroup(shareGroup, Duration.ofSeconds(30), 6);
    }

    try (KafkaProducer<String, byte[]> producer = KafkaClients.durableProducer(env.kafkaBootstrapServers(), "it", 10_000)) {
      for (int i = 0; i < 10; i++) {
        producer.send(new ProducerRecord<>(topic, "k" + i, ("v" + i).getBytes(StandardCharsets.UTF_8))).get();
      }
    }

    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, env.kafkaBootstrapServers(),
        ConsumerConfig.GROUP_ID_CONFIG, env.group("classic"),
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false), new StringDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(topic));
      List<String> seen = new ArrayList<>();
      await().atMost(Duration.ofSeconds(30)).until(() -> {
        consumer.poll(Duration.ofMillis(200)).forEach(r -> seen.add(r.key()));
        return seen.size() >= 10;
      });
      consumer.commitSync();
      assertThat(seen).containsExactlyInAnyOrder("k0", "k1", "k2", "k3", "k4", "k5", "k6", "k7", "k8", "k9");
    }

    try (KafkaShareConsumer<String, byte[]> share = new KafkaShareConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, env.kafkaBootstrapServers(),
        ConsumerConfig.GROUP_ID_CONFIG, shareGroup,
        "share.acknowledgement.mode", "explicit"), new StringDeserializer(), new ByteArrayDeserializer())) {
      share.subscribe(Set.of(topic));
      List<String> accepted = new ArrayList<>();
      await().atMost(Duration.ofSeconds(60)).until(() -> {
        for (ConsumerRecord<String, byte[]> r : share.poll(Duration.ofMillis(500))) {
          assertThat(r.deliveryCount()).isPresent();
          share.acknowledge(r, AcknowledgeType.ACCEPT);
          accepted.add(r.key());
        }
        share.commitSync();
        return accepted.size() >= 10;
      });
      assertThat(accepted).containsExactlyInAnyOrder("k0", "k1", "k2", "k3", "k4", "k5", "k6", "k7", "k8", "k9");
    }
  }
}
