package io.wxpush.spring;

import io.wxpush.client.KafkaPushClient;
import io.wxpush.client.PushClient;
import java.time.Duration;
import java.util.Set;
import org.springframework.util.ClassUtils;

/** Opens the Kafka transport's client; alone in touching Kafka's classes, so the HTTP transport runs without kafka-clients. */
final class KafkaTransport {
  private KafkaTransport() {}

  static PushClient open(WxpushProperties.Kafka kafka, Set<String> appIds, Duration timeout) {
    if (!ClassUtils.isPresent("org.apache.kafka.clients.producer.KafkaProducer", KafkaTransport.class.getClassLoader())) {
      throw new IllegalStateException("wxpush.transport=kafka needs org.apache.kafka:kafka-clients on the classpath");
    }
    return KafkaPushClient.connect(kafka.bootstrapServers(), kafka.clientId(), kafka.topicPrefix(), appIds);
  }
}
