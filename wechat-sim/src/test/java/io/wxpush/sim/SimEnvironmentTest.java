package io.wxpush.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wxpush.config.ConfigException;
import io.wxpush.config.Env;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SimEnvironmentTest {
  @Test
  void readsPortAppsLatencyTemplatesAndFaults() {
    SimConfig config = SimEnvironment.read(new Env(Map.of(
        "HTTP_PORT", "9000",
        "WECHAT_APPS", "wxapp1:secret1,wxapp2:secret2",
        "SIM_LATENCY", "50ms",
        "SIM_LATENCY_JITTER", "10ms",
        "SIM_TEMPLATES", "wxapp1:TPL_ORDER:template:keyword1|keyword2;wxapp1:TPL_SUB:subscribe:thing1|time2:pages/index|pages/order",
        "SIM_SYSTEM_ERROR_RATE", "0.1",
        "SIM_DAILY_QUOTA", "wxapp1:1000",
        "SIM_REQUEST_LOG", "50")));

    assertThat(config.port()).isEqualTo(9000);
    assertThat(config.requestLogCapacity()).isEqualTo(50);
    assertThat(config.apps()).containsOnlyKeys("wxapp1", "wxapp2");
    assertThat(config.latency()).isEqualTo(Duration.ofMillis(50));
    assertThat(config.latencyJitter()).isEqualTo(Duration.ofMillis(10));
    assertThat(config.systemErrorRate()).isEqualTo(0.1);
    assertThat(config.dailyQuotas()).containsEntry("wxapp1", 1000L);
    assertThat(config.templates()).containsExactly(
        new SimTemplate("wxapp1", "TPL_ORDER", SimTemplate.Kind.TEMPLATE, List.of("keyword1", "keyword2"), Set.of()),
        new SimTemplate("wxapp1", "TPL_SUB", SimTemplate.Kind.SUBSCRIBE, List.of("thing1", "time2"), Set.of("pages/index", "pages/order")));
  }

  @Test
  void defaultsToPort8090AndNoFaults() {
    SimConfig config = SimEnvironment.read(new Env(Map.of("WECHAT_APPS", "wxapp1:secret1")));

    assertThat(config.port()).isEqualTo(8090);
    assertThat(config.requestLogCapacity()).isEqualTo(1000);
    assertThat(config.latency()).isZero();
    assertThat(config.templates()).isEmpty();
  }

  @Test
  void problemsNameTheVariableAndNeverTheSecret() {
    assertThatThrownBy(() -> SimEnvironment.read(new Env(Map.of(
        "WECHAT_APPS", "wxapp1",
        "SIM_LATENCY", "soon",
        "SIM_HTTP500_RATE", "2",
        "SIM_TEMPLATES", "wxapp9:T:template:k1",
        "SIM_REQUEST_LOG", "-1"))))
        .isInstanceOf(ConfigException.class)
        .satisfies(e -> assertThat(((ConfigException) e).problems()).anySatisfy(p -> assertThat(p).startsWith("WECHAT_APPS"))
            .anySatisfy(p -> assertThat(p).startsWith("SIM_LATENCY"))
            .anySatisfy(p -> assertThat(p).startsWith("SIM_HTTP500_RATE"))
            .anySatisfy(p -> assertThat(p).startsWith("SIM_TEMPLATES"))
            .anySatisfy(p -> assertThat(p).startsWith("SIM_REQUEST_LOG")));
    assertThatThrownBy(() -> SimEnvironment.read(new Env(Map.of())))
        .hasMessageContaining("WECHAT_APPS is required");
    assertThatThrownBy(() -> SimEnvironment.read(new Env(Map.of("WECHAT_APPS", "wxapp1:topsecret", "HTTP_PORT", "x"))))
        .hasMessageContaining("HTTP_PORT").hasMessageNotContaining("topsecret");
  }
}
