package io.wxpush.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.wxpush.client.HttpPushClient;
import io.wxpush.json.Json;
import io.wxpush.push.PushClient;
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
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A business service that depends on {@code wxpush-client} alone pushes to its users through
 * both clients, against wxpush running as an operator runs it (wechat-sim, ingest-api and a
 * push-worker as jar processes on real Kafka and Redis). Users log in and upload their form_ids
 * through the public API, as the mini-program would.
 */
@ExtendWith(RealServices.class)
class OrderShippedNotifierIT {
  private static final String APP = "wxapp1";
  private static final String SECRET = "app-secret-for-sample-1";
  private static final String API_KEY = "push-api-key-for-the-sample";
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @Test
  void aBusinessServicePushesThroughHttpAndKafkaWithTheClientArtifactAlone(TestEnv env) throws Exception {
    int simPort = freePort();
    int apiPort = freePort();
    int workerPort = freePort();
    String sim = "http://127.0.0.1:" + simPort;
    String api = "http://127.0.0.1:" + apiPort;
    Map<String, String> common = env.processEnv(Map.of("WECHAT_APPS", APP + ":" + SECRET, "WECHAT_API_BASE", sim,
        "KAFKA_TOPIC_PARTITIONS", "4"));
    Map<String, String> simEnv = new java.util.HashMap<>(Map.of("HTTP_PORT", Integer.toString(simPort), "WECHAT_APPS", APP + ":" + SECRET,
        "SIM_TEMPLATES", APP + ":TPL_SHIPPED:template:keyword1"));
    Map<String, String> apiEnv = new java.util.HashMap<>(common);
    apiEnv.putAll(Map.of("HTTP_PORT", Integer.toString(apiPort), "SESSION_SIGNING_KEY", "signing-key-for-the-sample-0123456789",
        "PUSH_API_KEYS", API_KEY));
    Map<String, String> workerEnv = new java.util.HashMap<>(common);
    workerEnv.put("HTTP_PORT", Integer.toString(workerPort));

    try (JarProcess simProcess = JarProcess.start(JarProcess.siblingJar("wechat-sim"), simEnv);
        JarProcess apiProcess = JarProcess.start(JarProcess.siblingJar("ingest-api"), apiEnv);
        JarProcess worker = JarProcess.start(JarProcess.siblingJar("push-worker"), workerEnv)) {
      for (String url : List.of(sim, api, "http://127.0.0.1:" + workerPort)) {
        await().atMost(Duration.ofSeconds(90)).ignoreExceptions().until(() -> get(url + "/health", null).statusCode() == 200);
      }
      List<String> openIds = new ArrayList<>();
      for (int i = 0; i < 5; i++) openIds.add("buyer" + i);
      for (String openId : openIds) logInAndUploadTwoFormIds(sim, api, openId);
      for (String openId : openIds) {
        await("form_ids of " + openId + " stored").atMost(Duration.ofSeconds(60)).until(() ->
            Json.MAPPER.readTree(get(api + "/v1/users/" + openId + "/credentials?appId=" + APP, API_KEY).body()).path("formIds").asInt() == 2);
      }

      HttpPushClient http = new HttpPushClient(URI.create(api), API_KEY, Duration.ofSeconds(10));
      try (PushClient kafka = PushClient.connect(env.kafkaBootstrapServers(), "sample-billing", env.topicPrefix(), Set.of(APP))) {
        OrderShippedNotifier notifier = new OrderShippedNotifier(APP, "TPL_SHIPPED", http, kafka);
        String overHttp = notifier.notifyOverHttp("42", openIds);
        String overKafka = notifier.notifyOverKafka("43", openIds);

        for (String rid : List.of(overHttp, overKafka)) {
          JsonNode status = await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(300))
              .until(() -> http.status(rid), s -> "done".equals(s.path("state").asText()));
          assertThat(status.path("sent").asLong()).as("sent by " + rid).isEqualTo(openIds.size());
        }
        for (String openId : openIds) {
          JsonNode inbox = Json.MAPPER.readTree(get(sim + "/sim/users/" + APP + "/" + openId + "/inbox", null).body()).path("messages");
          assertThat(inbox).as("messages to " + openId).hasSize(2);
        }
        // the client checks requests as the API does: nothing is published for a bad one
        assertThatThrownBy(() -> kafka.publish(Json.MAPPER.readTree("{\"appId\":\"" + APP + "\",\"kind\":\"template\"}")))
            .isInstanceOf(PushClient.InvalidPushException.class);
        assertThatThrownBy(() -> http.push(Map.of("appId", "nobody"))).isInstanceOfSatisfying(HttpPushClient.ApiError.class,
            e -> assertThat(e.status()).isEqualTo(400));
      }
    }
  }

  private static void logInAndUploadTwoFormIds(String sim, String api, String openId) throws Exception {
    String code = Json.MAPPER.readTree(post(sim + "/sim/users/" + APP + "/" + openId + "/login-code", null, Map.of()).body()).path("code").asText();
    HttpResponse<String> session = post(api + "/v1/sessions", null, Map.of("appId", APP, "code", code));
    assertThat(session.statusCode()).as(session.body()).isEqualTo(200);
    String token = Json.MAPPER.readTree(session.body()).path("token").asText();
    JsonNode formIds = Json.MAPPER.readTree(post(sim + "/sim/users/" + APP + "/" + openId + "/form-ids?count=2", null, Map.of()).body()).path("formIds");
    List<Map<String, Object>> credentials = new ArrayList<>();
    for (JsonNode f : formIds) credentials.add(Map.of("kind", "form_id", "value", f.asText(), "collectedAt", System.currentTimeMillis()));
    HttpResponse<String> upload = post(api + "/v1/credentials", token, Map.of("credentials", credentials));
    assertThat(upload.statusCode()).as(upload.body()).isEqualTo(202);
  }

  private static HttpResponse<String> get(String url, String bearer) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET();
    if (bearer != null) b.header("Authorization", "Bearer " + bearer);
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> post(String url, String bearer, Object body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(Json.write(body)));
    if (bearer != null) b.header("Authorization", "Bearer " + bearer);
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
