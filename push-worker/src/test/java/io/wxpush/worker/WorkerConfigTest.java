package io.wxpush.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wxpush.config.ConfigException;
import io.wxpush.config.Env;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What push-worker refuses at start-up, before it touches Kafka or Redis. */
class WorkerConfigTest {
  private static Env env(String maxDeliveries) {
    return new Env(Map.of("WECHAT_APPS", "wxapp1:secret-of-the-app-1", "TASK_MAX_DELIVERIES", maxDeliveries));
  }

  @Test
  void taskMaxDeliveriesLeavesTheBrokersTenthDeliveryToDeadLetterTheTask() {
    assertThat(WorkerConfig.read(env("9")).maxDeliveries()).isEqualTo(9);
    assertThatThrownBy(() -> WorkerConfig.read(env("10"))).isInstanceOf(ConfigException.class)
        .hasMessageContaining("TASK_MAX_DELIVERIES").hasMessageContaining("between 2 and 9");
  }
}
