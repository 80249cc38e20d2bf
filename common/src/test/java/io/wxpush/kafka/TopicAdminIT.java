package io.wxpush.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wxpush.testkit.RealServices;
import io.wxpush.testkit.TestEnv;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The senders' share group as the broker keeps it: the record lock and a delivery limit one above the tasks' own. */
@ExtendWith(RealServices.class)
class TopicAdminIT {

  @Test
  void theShareGroupsDeliveryLimitIsSetOnTheBrokerAndReadBack(TestEnv env) throws Exception {
    String group = env.group("senders");
    try (Admin admin = KafkaClients.admin(env.kafkaBootstrapServers(), "it-admin")) {
      new TopicAdmin(admin, 1, Optional.empty()).configureShareGroup(group, Duration.ofSeconds(20), 6);

      ConfigResource resource = new ConfigResource(ConfigResource.Type.GROUP, group);
      var config = admin.describeConfigs(List.of(resource)).all().get().get(resource);
      assertThat(config.get(TopicAdmin.DELIVERY_LIMIT).value()).isEqualTo("6");
      assertThat(config.get("share.record.lock.duration.ms").value()).isEqualTo("20000");
    }
  }

  @Test
  void aDeliveryLimitAboveTheBrokersMaximumIsAStartUpErrorNamingTheSetting(TestEnv env) {
    try (Admin admin = KafkaClients.admin(env.kafkaBootstrapServers(), "it-admin")) {
      TopicAdmin topics = new TopicAdmin(admin, 1, Optional.empty());
      assertThatThrownBy(() -> topics.configureShareGroup(env.group("senders"), Duration.ofSeconds(20), 11))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("TASK_MAX_DELIVERIES");
    }
  }
}
