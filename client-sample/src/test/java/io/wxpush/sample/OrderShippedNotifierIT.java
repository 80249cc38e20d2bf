package io.wxpush.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.wxpush.client.HttpPushClient;
import io.wxpush.client.KafkaPushClient;
import io.wxpush.client.PushRequest;
import io.wxpush.client.PushStatus;
import io.wxpush.testkit.ApiClient;
import io.wxpush.testkit.JarProcess;
import io.wxpush.testkit.RealServices;
import io.wxpush.testkit.TestEnv;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
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

  @Test
  void aBusinessServicePushesThroughHttpAndKafkaWithTheClientArtifactAlone(TestEnv env) throws Exception {
    int simPort = freePort();
    int apiPort = freePort();
    int workerPort = freePort();
    String sim = "http://127.0.0.1:" + simPort;
    String api = "http://127.0.0.1:" + apiPort;
    Map<String, String> common = env.processEnv(Map.of("WECHAT_APPS", APP + ":" + SECRET, "WECHAT_API_BASE", sim,
        "KAFKA_TOPIC_PARTITIONS", "4"));
    Map<String, String> simEnv = new HashMap<>(Map.of("HTTP_PORT", Integer.toString(simPort), "WECHAT_APPS", APP + ":" + SECRET,
        "SIM_TEMPLATES", APP + ":TPL_SHIPPED:template:keyword1"));
    Map<String, String> apiEnv = new HashMap<>(common);
    apiEnv.putAll(Map.of("HTTP_PORT", Integer.toString(apiPort), "SESSION_SIGNING_KEY", "signing-key-for-the-sample-0123456789",
        "PUSH_API_KEYS", API_KEY));
    Map<String, String> workerEnv = new HashMap<>(common);
    workerEnv.put("HTTP_PORT", Integer.toString(workerPort));

    try (JarProcess simProcess = JarProcess.start(JarProcess.siblingJar("wechat-sim"), simEnv);
        JarProcess apiProcess = JarProcess.start(JarProcess.siblingJar("ingest-api"), apiEnv);
        JarProcess worker = JarProcess.start(JarProcess.siblingJar("push-worker"), workerEnv)) {
      ApiClient simClient = ApiClient.local(simPort);
      ApiClient apiClient = ApiClient.local(apiPort);
      for (ApiClient process : List.of(simClient, apiClient, ApiClient.local(workerPort))) {
        await().atMost(Duration.ofSeconds(90)).until(process::healthy);
      }
      List<String> openIds = new ArrayList<>();
      for (int i = 0; i < 5; i++) openIds.add("buyer" + i);
      for (String openId : openIds) logInAndUploadTwoFormIds(simClient, apiClient, openId);
      for (String openId : openIds) {
        await("form_ids of " + openId + " stored").atMost(Duration.ofSeconds(60)).until(() ->
            apiClient.userCredentials(API_KEY, APP, openId).body().path("formIds").asInt() == 2);
      }

      HttpPushClient http = new HttpPushClient(URI.create(api), API_KEY, Duration.ofSeconds(10));
      try (KafkaPushClient kafka = KafkaPushClient.connect(env.kafkaBootstrapServers(), "sample-billing", env.topicPrefix(), Set.of(APP))) {
        OrderShippedNotifier notifier = new OrderShippedNotifier(APP, "TPL_SHIPPED", http, kafka);
        String overHttp = notifier.notifyOverHttp("42", openIds);
        String overKafka = notifier.notifyOverKafka("43", openIds);

        for (String rid : List.of(overHttp, overKafka)) {
          PushStatus status = await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(300))
              .until(() -> http.status(rid), s -> "done".equals(s.state()));
          assertThat(status.isFinal()).isTrue();
          assertThat(status.sent()).as("sent by " + rid).isEqualTo(openIds.size());
        }
        for (String openId : openIds) {
          JsonNode inbox = simClient.get("/sim/users/" + APP + "/" + openId + "/inbox", null).expect(200).body().path("messages");
          assertThat(inbox).as("messages to " + openId).hasSize(2);
        }
        // the Kafka client refuses an app the deployment does not serve: nothing is published
        assertThatThrownBy(() -> kafka.push(PushRequest.template("wxnobody", "TPL_SHIPPED").toUsers("buyer0").build()))
            .isInstanceOf(KafkaPushClient.InvalidPushException.class);
        assertThatThrownBy(() -> http.push(Map.of("appId", "nobody"))).isInstanceOfSatisfying(HttpPushClient.ApiError.class,
            e -> assertThat(e.status()).isEqualTo(400));
      }
    }
  }

  /** As the mini-program would: a wx.login code from the sim, a session, and two form_ids uploaded. */
  private static void logInAndUploadTwoFormIds(ApiClient sim, ApiClient api, String openId) throws Exception {
    String code = sim.post("/sim/users/" + APP + "/" + openId + "/login-code", null, Map.of()).expect(200).body().path("code").asText();
    String token = api.createSession(APP, code).expect(200).body().path("token").asText();
    JsonNode formIds = sim.post("/sim/users/" + APP + "/" + openId + "/form-ids?count=2", null, Map.of()).expect(200).body().path("formIds");
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
