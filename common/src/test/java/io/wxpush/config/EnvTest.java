package io.wxpush.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wxpush.redis.RedisEndpoint;
import io.wxpush.secret.Secret;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EnvTest {

  @Test
  void missingRequiredVariablesAreAllNamedInOneError() {
    Env env = new Env(Map.of());
    CommonConfig.read(env);
    env.secret(Setting.SESSION_SIGNING_KEY, 32);
    assertThatThrownBy(env::check)
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("WECHAT_APPS is required")
        .hasMessageContaining("SESSION_SIGNING_KEY is required");
  }

  @Test
  void defaultsMatchTheContract() {
    Env env = new Env(Map.of("WECHAT_APPS", "wxapp1:secret1"));
    CommonConfig config = CommonConfig.read(env);
    env.check();
    assertThat(config.kafkaBootstrapServers()).isEqualTo("localhost:9092");
    assertThat(config.topicPrefix()).isEqualTo("wxpush.");
    assertThat(config.redis().toString()).isEqualTo("redis://localhost:6379");
    assertThat(config.weChatApiBase().toString()).isEqualTo("https://api.weixin.qq.com");
    assertThat(config.apps()).containsOnlyKeys("wxapp1");
    assertThat(config.topics().pushTasks()).isEqualTo("wxpush.push-tasks");
    assertThat(config.weChatTimeout()).as("one WeChat time-out for every process").isEqualTo(Duration.ofSeconds(10));
  }

  @Test
  void problemsNeverEchoASecret() {
    Env env = new Env(Map.of(
        "WECHAT_APPS", "wxapp1:topsecretvalue,broken",
        "SESSION_SIGNING_KEY", "shortsecretvalue"));
    env.weChatApps(Setting.WECHAT_APPS);
    env.secret(Setting.SESSION_SIGNING_KEY, 32);
    assertThatThrownBy(env::check)
        .hasMessageContaining("WECHAT_APPS")
        .hasMessageContaining("SESSION_SIGNING_KEY must be at least 32 bytes")
        .hasMessageNotContaining("topsecretvalue")
        .hasMessageNotContaining("shortsecretvalue");
  }

  @Test
  void malformedValuesNameTheVariable() {
    Env env = new Env(Map.of("WECHAT_APPS", "a:b", "REDIS_URL", "http://x", "HTTP_PORT", "eighty", "SESSION_TTL", "3 weeks"));
    CommonConfig.read(env);
    env.port(Setting.HTTP_PORT, Setting.Process.INGEST_API);
    env.duration(Setting.SESSION_TTL);
    assertThatThrownBy(env::check)
        .hasMessageContaining("REDIS_URL must start with redis://")
        .hasMessageContaining("HTTP_PORT=eighty")
        .hasMessageContaining("SESSION_TTL=3 weeks");
  }

  @Test
  void durationsTakeUnitsOrIso() {
    assertThat(Env.parseDuration("250ms")).isEqualTo(Duration.ofMillis(250));
    assertThat(Env.parseDuration("5s")).isEqualTo(Duration.ofSeconds(5));
    assertThat(Env.parseDuration("2m")).isEqualTo(Duration.ofMinutes(2));
    assertThat(Env.parseDuration("PT1H")).isEqualTo(Duration.ofHours(1));
    assertThat(Env.parseDuration("7d")).isEqualTo(Duration.ofDays(7));
  }

  @Test
  void everyDeclaredDefaultParsesAsItsKind() {
    for (Setting s : Setting.values()) {
      for (Setting.Process p : s.readBy()) {
        String value = s.defaultFor(p).orElse(null);
        if (value == null || value.isEmpty()) continue;
        Env env = new Env(Map.of(s.name(), value));
        switch (s.kind()) {
          case INTEGER -> {
            if (s == Setting.HTTP_PORT) env.port(s, p);
            else env.integer(s, Integer.MIN_VALUE, Integer.MAX_VALUE);
          }
          case DURATION -> env.duration(s);
          case URL -> env.httpUri(s);
          case RATE -> env.rate(s);
          default -> env.string(s);
        }
        env.check();
      }
    }
    assertThatThrownBy(() -> new Env(Map.of()).duration(Setting.WECHAT_APPS)).hasMessageContaining("has no default");
  }

  @Test
  void redisUrlsParseSingleAndCluster() {
    RedisEndpoint single = RedisEndpoint.parse("redis://:pw@127.0.0.1:6380");
    assertThat(single.cluster()).isFalse();
    assertThat(single.nodes()).hasSize(1);
    assertThat(single.password()).isPresent();
    assertThat(single.toString()).doesNotContain("pw");
    RedisEndpoint cluster = RedisEndpoint.parse("redis-cluster://h1:7000,h2:7001,h3:7002");
    assertThat(cluster.cluster()).isTrue();
    assertThat(cluster.nodes()).hasSize(3);
  }

  @Test
  void secretsAreMaskedWhenPrinted() {
    Secret secret = Secret.of("hunter2hunter2");
    assertThat(secret.toString()).isEqualTo("****");
    assertThat("key=" + secret).doesNotContain("hunter2");
    assertThat(secret.matches("hunter2hunter2")).isTrue();
    assertThat(secret.matches("hunter2")).isFalse();
  }
}
