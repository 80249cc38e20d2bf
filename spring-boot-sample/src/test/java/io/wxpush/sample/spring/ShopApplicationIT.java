package io.wxpush.sample.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.wxpush.testkit.ApiClient;
import io.wxpush.testkit.JarProcess;
import io.wxpush.testkit.RealServices;
import io.wxpush.testkit.TestEnv;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The Spring Boot sample, configured by {@code wxpush.*} properties alone, pushes to its users
 * and takes the signed callback of the push, against wxpush as an operator runs it (wechat-sim,
 * ingest-api and a push-worker as jar processes on real Kafka and Redis).
 */
@ExtendWith(RealServices.class)
class ShopApplicationIT {
  private static final String APP = "wxapp1";
  private static final String SECRET = "app-secret-for-spring-sample";
  private static final String API_KEY = "push-api-key-for-the-spring-sample";

  @Test
  void aSpringBootServiceWithTheStarterAlonePushesAndTakesTheSignedCallback(TestEnv env) throws Exception {
    int simPort = freePort();
    int apiPort = freePort();
    int workerPort = freePort();
    int shopPort = freePort();
    String sim = "http://127.0.0.1:" + simPort;
    Map<String, String> common = env.processEnv(Map.of("WECHAT_APPS", APP + ":" + SECRET, "WECHAT_API_BASE", sim, "KAFKA_TOPIC_PARTITIONS", "4"));
    Map<String, String> simEnv = new HashMap<>(Map.of("HTTP_PORT", Integer.toString(simPort), "WECHAT_APPS", APP + ":" + SECRET,
        "SIM_TEMPLATES", APP + ":TPL_SHIPPED:template:keyword1"));
    Map<String, String> apiEnv = new HashMap<>(common);
    apiEnv.putAll(Map.of("HTTP_PORT", Integer.toString(apiPort), "SESSION_SIGNING_KEY", "signing-key-for-the-spring-sample-0123",
        "PUSH_API_KEYS", API_KEY, "CALLBACK_ALLOW_PRIVATE", "true"));
    Map<String, String> workerEnv = new HashMap<>(common);
    workerEnv.put("HTTP_PORT", Integer.toString(workerPort));

    try (JarProcess simProcess = JarProcess.start(JarProcess.siblingJar("wechat-sim"), simEnv);
        JarProcess apiProcess = JarProcess.start(JarProcess.siblingJar("ingest-api"), apiEnv);
        JarProcess worker = JarProcess.start(JarProcess.siblingJar("push-worker"), workerEnv);
        ConfigurableApplicationContext shop = new SpringApplicationBuilder(ShopApplication.class).run(
            "--server.port=" + shopPort, "--wxpush.api-url=http://127.0.0.1:" + apiPort, "--wxpush.api-key=" + API_KEY,
            "--wxpush.apps.shop.app-id=" + APP, "--shop.callback-url=http://127.0.0.1:" + shopPort + "/wxpush/callbacks")) {
      ApiClient simClient = ApiClient.local(simPort);
      ApiClient apiClient = ApiClient.local(apiPort);
      for (ApiClient process : List.of(simClient, apiClient, ApiClient.local(workerPort))) {
        await().atMost(Duration.ofSeconds(90)).until(process::healthy);
      }
      List<String> openIds = List.of("buyer0", "buyer1", "buyer2");
      for (String openId : openIds) logInAndUploadAFormId(simClient, apiClient, openId);
      for (String openId : openIds) {
        await("form_id of " + openId + " stored").atMost(Duration.ofSeconds(60)).until(() ->
            apiClient.userCredentials(API_KEY, APP, openId).body().path("formIds").asInt() == 1);
      }

      String requestId = shop.getBean(OrderShipped.class).notify("42", openIds);

      for (String openId : openIds) {
        JsonNode messages = await("message to " + openId).atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300))
            .until(() -> simClient.get("/sim/users/" + APP + "/" + openId + "/inbox", null).expect(200).body().path("messages"),
                m -> m.size() == 1);
        assertThat(messages.get(0).toString()).contains("order 42 shipped");
      }
      PushCallbackController callbacks = shop.getBean(PushCallbackController.class);
      JsonNode status = await("the signed callback").atMost(Duration.ofSeconds(60)).until(() -> callbacks.finalStatus(requestId), s -> s != null);
      assertThat(status.path("state").asText()).isEqualTo("done");
      assertThat(status.path("sent").asLong()).isEqualTo(openIds.size());

      // a callback not signed with the service's key is refused
      HttpResponse<String> forged = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + shopPort + "/wxpush/callbacks"))
          .header("Content-Type", "application/json").header("webhook-id", "msg_x").header("webhook-timestamp", Long.toString(System.currentTimeMillis() / 1000))
          .header("webhook-signature", "v1,AAAA").header("X-Wxpush-Signature", "sha256=00")
          .POST(HttpRequest.BodyPublishers.ofString("{\"requestId\":\"forged\",\"state\":\"done\"}")).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(forged.statusCode()).isEqualTo(401);
      assertThat(callbacks.finalStatus("forged")).isNull();
    }
  }

  /** As the mini-program would: a wx.login code from the sim, a session, and a form_id uploaded. */
  private static void logInAndUploadAFormId(ApiClient sim, ApiClient api, String openId) throws Exception {
    String code = sim.post("/sim/users/" + APP + "/" + openId + "/login-code", null, Map.of()).expect(200).body().path("code").asText();
    String token = api.createSession(APP, code).expect(200).body().path("token").asText();
    JsonNode formIds = sim.post("/sim/users/" + APP + "/" + openId + "/form-ids?count=1", null, Map.of()).expect(200).body().path("formIds");
    List<Map<String, Object>> credentials = new ArrayList<>();
    for (JsonNode f : formIds) credentials.add(ApiClient.credential("form_id", f.asText(), System.currentTimeMillis()));
    api.uploadCredentials(token, credentials).expect(202);
  }

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
