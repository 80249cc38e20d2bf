package io.wxpush.spring;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.wxpush.client.HttpPushClient;
import io.wxpush.client.KafkaPushClient;
import io.wxpush.client.PushClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** What the starter makes of {@code wxpush.*} properties, in a Spring context as a service has it. */
class WxpushAutoConfigurationTest {
  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(WxpushAutoConfiguration.class));

  @Test
  void anApiUrlAndKeyMakeAnHttpPushClientBean() {
    runner.withPropertyValues("wxpush.api-url=https://push.example.com", "wxpush.api-key=key-1").run(context -> {
      assertThat(context).hasNotFailed().hasSingleBean(PushClient.class).hasSingleBean(WxpushCallbacks.class);
      assertThat(context.getBean(PushClient.class)).isInstanceOf(HttpPushClient.class);
    });
  }

  @Test
  void withoutPropertiesThereIsNoPushClientAndTheContextStillStarts() {
    runner.run(context -> {
      assertThat(context).hasNotFailed().doesNotHaveBean(PushClient.class);
      assertThat(context.getBean(PushClients.class).apps()).isEmpty();
    });
  }

  @Test
  void severalAppsAreLookedUpByNameAndShareAClientWhenTheyShareAKey() {
    runner.withPropertyValues("wxpush.api-url=https://push.example.com", "wxpush.api-key=key-1",
        "wxpush.apps.shop.app-id=wxshop", "wxpush.apps.news.app-id=wxnews", "wxpush.apps.games.app-id=wxgames",
        "wxpush.apps.games.api-key=key-games").run(context -> {
          PushClients clients = context.getBean(PushClients.class);
          assertThat(clients.apps()).containsOnlyKeys("shop", "news", "games");
          assertThat(clients.app("shop").appId()).isEqualTo("wxshop");
          assertThat(clients.get("shop")).isSameAs(clients.get("news")).isSameAs(context.getBean(PushClient.class));
          assertThat(clients.get("games")).isInstanceOf(HttpPushClient.class).isNotSameAs(clients.get("shop"));
          assertThat(clients.app("news").subscribe("TPL").toEveryone().build().appId()).isEqualTo("wxnews");
        });
  }

  @Test
  void theKafkaTransportMakesAKafkaPushClientForTheConfiguredApps() {
    runner.withPropertyValues("wxpush.transport=kafka", "wxpush.kafka.bootstrap-servers=127.0.0.1:9", "wxpush.apps.shop.app-id=wxshop")
        .run(context -> {
          assertThat(context).hasNotFailed();
          assertThat(context.getBean(PushClient.class)).isInstanceOf(KafkaPushClient.class)
              .isSameAs(context.getBean(PushClients.class).get("shop"));
        });
  }

  @Test
  void anAppWithoutAnAppIdOrAnHttpAppWithoutAUrlFailsTheStartWithTheProperty() {
    runner.withPropertyValues("wxpush.apps.shop.api-key=k").run(context ->
        assertThat(context).hasFailed().getFailure().rootCause().hasMessageContaining("wxpush.apps.shop.app-id"));
    runner.withPropertyValues("wxpush.apps.shop.app-id=wxshop", "wxpush.api-key=k").run(context ->
        assertThat(context).hasFailed().getFailure().rootCause().hasMessageContaining("wxpush.api-url"));
  }

  @Test
  void callbacksSignedWithAnyOfTheServicesKeysPassAndOthersDoNot() throws Exception {
    byte[] body = "{\"requestId\":\"r-1\",\"state\":\"done\"}".getBytes(StandardCharsets.UTF_8);
    runner.withPropertyValues("wxpush.api-url=https://push.example.com", "wxpush.api-key=key-1",
        "wxpush.apps.games.app-id=wxgames", "wxpush.apps.games.api-key=key-games").run(context -> {
          WxpushCallbacks callbacks = context.getBean(WxpushCallbacks.class);
          assertThat(callbacks.isValid(body, signed("key-1", body, Instant.now()))).isTrue();
          assertThat(callbacks.isValid(body, signed("key-games", body, Instant.now()))).isTrue();
          assertThat(callbacks.isValid(body, signed("key-other", body, Instant.now()))).isFalse();
          assertThat(callbacks.isValid(body, signed("key-1", body, Instant.now().minusSeconds(600)))).as("stale").isFalse();
        });
  }

  @Test
  void theJarDescribesEveryPropertyForTheIde() throws Exception {
    JsonNode metadata = new ObjectMapper().readTree(Files.readAllBytes(Path.of("target/classes/META-INF/spring-configuration-metadata.json")));
    List<String> names = new ArrayList<>();
    metadata.path("properties").forEach(p -> names.add(p.path("name").asText()));
    assertThat(names).contains("wxpush.api-url", "wxpush.api-key", "wxpush.transport", "wxpush.kafka.bootstrap-servers",
        "wxpush.kafka.topic-prefix", "wxpush.apps", "wxpush.timeout", "wxpush.callback-tolerance");
    assertThat(Files.readString(Path.of("target/classes/META-INF/spring/org.springframework.boot.autoconfigure.AutoConfiguration.imports")))
        .contains(WxpushAutoConfiguration.class.getName());
  }

  /** The headers wxpush sends with a callback of {@code body} signed with {@code key} at {@code at} (BRIEF §3). */
  private static Map<String, List<String>> signed(String key, byte[] body, Instant at) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    String id = "msg_1";
    String standard = Base64.getEncoder().encodeToString(mac.doFinal((id + "." + at.getEpochSecond() + "." + new String(body, StandardCharsets.UTF_8))
        .getBytes(StandardCharsets.UTF_8)));
    String wxpush = "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
    return Map.of("webhook-id", List.of(id), "webhook-timestamp", List.of(Long.toString(at.getEpochSecond())),
        "webhook-signature", List.of("v1," + standard), "X-Wxpush-Signature", List.of(wxpush));
  }
}
