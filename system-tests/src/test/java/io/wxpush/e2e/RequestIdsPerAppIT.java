package io.wxpush.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.wxpush.credentials.Credential;
import io.wxpush.credentials.CredentialKind;
import io.wxpush.json.Json;
import io.wxpush.client.KafkaPushClient;
import io.wxpush.client.PushRequest;
import io.wxpush.sim.SimMessage;
import io.wxpush.sim.SimTemplate;
import io.wxpush.testkit.ApiClient;
import io.wxpush.testkit.RealServices;
import io.wxpush.testkit.TestEnv;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A requestId belongs to its app (BRIEF §3 v3): two apps of two teams name a push the same, each
 * gets its own push delivered to its own users and read by its own key, and a key never learns that
 * another app used the id (404, never 409); a key of several apps names the app when the id is in
 * more than one ({@code 400 app_required}). Through the API and straight through Kafka alike.
 */
@ExtendWith(RealServices.class)
class RequestIdsPerAppIT {
  private static final String APP_B = "wxapp2";
  private static final String SECRET_B = "app-secret-for-tests-2";
  private static final String KEY_A = "team-a-key-0123456789abcdef";
  private static final String KEY_B = "team-b-key-0123456789abcdef";
  private static final String BARE = Stack.API_KEY;
  private static final String SHARED = "order-1001-shipped";
  private static final List<String> USERS_A = List.of("o-0", "o-1");
  private static final List<String> USERS_B = List.of("o-0", "o-1", "o-2");
  private Stack stack;

  @BeforeEach
  void start(TestEnv env) {
    stack = Stack.start(env, Map.of(
        "WECHAT_APPS", Stack.APP + ":" + Stack.APP_SECRET + "," + APP_B + ":" + SECRET_B,
        "PUSH_API_KEYS", KEY_A + "=" + Stack.APP + "," + KEY_B + "=" + APP_B + "," + BARE),
        b -> b.app(APP_B, SECRET_B)
            .template(new SimTemplate(Stack.APP, "TPL_ORDER", SimTemplate.Kind.TEMPLATE, List.of("keyword1"), Set.of()))
            .template(new SimTemplate(APP_B, "TPL_ORDER", SimTemplate.Kind.TEMPLATE, List.of("keyword1"), Set.of())));
    seed(Stack.APP, USERS_A);
    seed(APP_B, USERS_B);
    stack.worker("fanout,sender", Map.of());
  }

  @AfterEach
  void stop() {
    stack.close();
  }

  private void seed(String appId, List<String> openIds) {
    List<Credential> batch = new ArrayList<>();
    stack.sim.mintFormIdsBulk(appId, openIds, 2).forEach((openId, formIds) -> formIds.forEach(f -> batch.add(
        Credential.of(appId, openId, CredentialKind.FORM_ID, f, null, System.currentTimeMillis()))));
    try (var redis = stack.redis()) {
      stack.pool(redis).addAll(batch);
    }
  }

  private static Map<String, Object> push(String appId, String requestId, List<String> openIds, String word) {
    return Map.of("requestId", requestId, "appId", appId, "kind", "template", "templateId", "TPL_ORDER",
        "data", Map.of("keyword1", word), "audience", Map.of("openIds", openIds));
  }

  private JsonNode awaitDone(String key, String query, String requestId) {
    return await("done: " + requestId + query).atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
        .until(() -> stack.client.get("/v1/pushes/" + requestId + query, key), r -> r.status() == 200 && "done".equals(r.body().path("state").asText()))
        .body();
  }

  /** Each user of {@code openIds} of {@code appId} got exactly one message, with {@code word}; {@code others} none. */
  private void delivered(String appId, List<String> openIds, String word, List<String> others) {
    await().atMost(Duration.ofSeconds(30)).until(() -> openIds.stream().allMatch(o -> !stack.sim.inbox(appId, o).isEmpty()));
    for (String openId : openIds) {
      List<SimMessage> inbox = stack.sim.inbox(appId, openId);
      assertThat(inbox).as(appId + "/" + openId).hasSize(1);
      assertThat(inbox.get(0).data()).as(appId + "/" + openId).containsEntry("keyword1", word);
    }
    for (String openId : others) assertThat(stack.sim.inbox(appId, openId)).as(appId + "/" + openId).isEmpty();
  }

  private ApiClient.Reply cancel(String key, String path) throws Exception {
    return stack.client.send("DELETE", path, Map.of("Authorization", "Bearer " + key), null);
  }

  @Test
  void twoAppsUseOneRequestIdForTwoPushesEachDeliveredToItsOwnUsersAndReadByItsOwnKey() throws Exception {
    ApiClient api = stack.client;
    api.push(KEY_A, push(Stack.APP, SHARED, USERS_A, "from-a")).expect(202);
    ApiClient.Reply second = api.push(KEY_B, push(APP_B, SHARED, USERS_B, "from-b"));
    assertThat(second.status()).as("another app's id is no conflict: " + second.text()).isEqualTo(202);
    assertThat(second.header("Idempotent-Replayed")).isEmpty();

    JsonNode a = awaitDone(KEY_A, "", SHARED);
    JsonNode b = awaitDone(KEY_B, "", SHARED);
    assertThat(a.path("appId").asText()).isEqualTo(Stack.APP);
    assertThat(a.path("targets").asLong()).isEqualTo(2);
    assertThat(a.path("sent").asLong()).isEqualTo(2);
    assertThat(b.path("appId").asText()).isEqualTo(APP_B);
    assertThat(b.path("targets").asLong()).isEqualTo(3);
    assertThat(b.path("sent").asLong()).isEqualTo(3);
    delivered(Stack.APP, USERS_A, "from-a", List.of("o-2"));
    delivered(APP_B, USERS_B, "from-b", List.of());

    // idempotency stays within the app: the same body again is a replay, another body a conflict
    ApiClient.Reply replay = api.push(KEY_B, push(APP_B, SHARED, USERS_B, "from-b"));
    assertThat(replay.status()).isEqualTo(202);
    assertThat(replay.header("Idempotent-Replayed")).contains("true");
    assertThat(api.push(KEY_A, push(Stack.APP, SHARED, USERS_A, "changed")).status()).isEqualTo(409);

    // an id only app A used is not there for app B's key: 404 on every route, never 409, no hint
    api.push(KEY_A, push(Stack.APP, "only-a", USERS_A, "only-a")).expect(202);
    awaitDone(KEY_A, "", "only-a");
    for (ApiClient.Reply reply : List.of(api.pushStatus(KEY_B, "only-a"), cancel(KEY_B, "/v1/pushes/only-a"),
        api.post("/v1/pushes/only-a/retry", KEY_B, Map.of()), api.get("/v1/pushes/only-a?appId=" + APP_B, KEY_B))) {
      assertThat(reply.status()).as(reply.text()).isEqualTo(404);
      assertThat(reply.text()).doesNotContain(Stack.APP);
    }
    ApiClient.Reply foreign = api.get("/v1/pushes/" + SHARED + "?appId=" + Stack.APP, KEY_B);
    assertThat(foreign.status()).isEqualTo(403);
    assertThat(foreign.errorCode()).isEqualTo("forbidden_app");

    // the bare key acts for both apps: it names the app when the id is in both, and needs not when in one
    for (ApiClient.Reply reply : List.of(api.pushStatus(BARE, SHARED), cancel(BARE, "/v1/pushes/" + SHARED),
        api.post("/v1/pushes/" + SHARED + "/retry", BARE, Map.of()))) {
      assertThat(reply.status()).as(reply.text()).isEqualTo(400);
      assertThat(reply.errorCode()).isEqualTo("app_required");
    }
    assertThat(api.get("/v1/pushes/" + SHARED + "?appId=" + APP_B, BARE).expect(200).body().path("targets").asLong()).isEqualTo(3);
    assertThat(api.get("/v1/pushes/" + SHARED + "?appId=" + Stack.APP, BARE).expect(200).body().path("targets").asLong()).isEqualTo(2);
    assertThat(api.pushStatus(BARE, "only-a").expect(200).body().path("appId").asText()).isEqualTo(Stack.APP);
    assertThat(api.post("/v1/pushes/" + SHARED + "/retry?appId=" + APP_B, BARE, Map.of()).expect(202).body().path("retried").asLong()).isZero();
    assertThat(cancel(BARE, "/v1/pushes/" + SHARED + "?appId=" + Stack.APP).status()).as("done: nothing to cancel").isEqualTo(409);
  }

  @Test
  void aPushPublishedStraightToKafkaKeepsItsIdToItsAppAndAnotherAppMayUseIt(TestEnv env) throws Exception {
    try (KafkaPushClient kafka = KafkaPushClient.connect(env.kafkaBootstrapServers(), "it-ids", env.topicPrefix(), Set.of(Stack.APP, APP_B))) {
      kafka.push(PushRequest.template(Stack.APP, "TPL_ORDER").requestId(SHARED).data("keyword1", "kafka-a").toUsers(USERS_A).build());
    }
    JsonNode a = awaitDone(KEY_A, "", SHARED);
    assertThat(a.path("targets").asLong()).isEqualTo(2);

    ApiClient.Reply b = stack.client.push(KEY_B, push(APP_B, SHARED, USERS_B, "http-b"));
    assertThat(b.status()).as(b.text()).isEqualTo(202);
    assertThat(b.header("Idempotent-Replayed")).as("a new push of app B").isEmpty();
    JsonNode doneB = awaitDone(KEY_B, "", SHARED);
    assertThat(doneB.path("appId").asText()).isEqualTo(APP_B);
    assertThat(doneB.path("targets").asLong()).isEqualTo(3);
    assertThat(doneB.path("sent").asLong()).isEqualTo(3);
    delivered(Stack.APP, USERS_A, "kafka-a", List.of("o-2"));
    delivered(APP_B, USERS_B, "http-b", List.of());
    JsonNode againA = stack.client.pushStatus(KEY_A, SHARED).expect(200).body();
    assertThat(againA.path("targets").asLong()).as("app A's push untouched").isEqualTo(2);
    assertThat(againA.path("sent").asLong()).isEqualTo(2);
  }
}
