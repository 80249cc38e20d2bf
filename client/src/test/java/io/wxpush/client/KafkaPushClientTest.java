package io.wxpush.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Set;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** KafkaPushClient publishes a request as the API would: to {@code <prefix>push-requests}, keyed by requestId. */
class KafkaPushClientTest {
  private final MockProducer<String, byte[]> producer = new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer());
  private final KafkaPushClient client = new KafkaPushClient(producer, "tenant1.", Set.of("wx1"), Duration.ofSeconds(1));

  @Test
  void aRequestIsPublishedKeyedByItsRequestIdOnThePrefixedTopic() throws Exception {
    PushRequest push = PushRequest.template("wx1", "TPL").requestId("order-42").data("keyword1", "shipped").toUsers("o-alice").build();

    assertThat(client.push(push)).isEqualTo("order-42");

    ProducerRecord<String, byte[]> record = producer.history().getFirst();
    assertThat(record.topic()).isEqualTo("tenant1.push-requests");
    assertThat(record.key()).isEqualTo("order-42");
    assertThat(ClientJson.MAPPER.readValue(record.value(), PushRequest.class)).isEqualTo(push);
  }

  @Test
  void aRequestForAnAppTheDeploymentDoesNotServeIsNotPublished() {
    assertThatThrownBy(() -> client.push(PushRequest.template("wx-other", "TPL").toUsers("o-alice").build()))
        .isInstanceOfSatisfying(KafkaPushClient.InvalidPushException.class, e -> assertThat(e.errors()).extracting(m -> m.get("field")).containsExactly("appId"));
    assertThat(producer.history()).isEmpty();
  }

  @Test
  void aRequestKafkaRefusesIsReportedNotPublished() {
    MockProducer<String, byte[]> refusing = new MockProducer<>(false, null, new StringSerializer(), new ByteArraySerializer());
    KafkaPushClient failing = new KafkaPushClient(refusing, "wxpush.", Set.of("wx1"), Duration.ofMillis(200));
    assertThatThrownBy(() -> failing.push(PushRequest.template("wx1", "TPL").toUsers("o-alice").build()))
        .isInstanceOf(KafkaPushClient.NotPublishedException.class);
  }
}
