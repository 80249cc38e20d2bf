package io.wxpush.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.wxpush.json.Json;
import io.wxpush.kafka.KafkaClients;
import io.wxpush.testkit.ApiClient;
import io.wxpush.testkit.RealServices;
import io.wxpush.testkit.TestEnv;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The audit trail (BRIEF §3 v3): each change made through the push API — a push created,
 * cancelled or retried, a policy put — is one record on {@code wxpush.audit} and in
 * {@code GET /v1/audit}, naming the key by the first 8 hex digits of its SHA-256 and never by
 * itself; a refused call (403, 409) or an idempotent replay writes none; only an admin reads it.
 */
@ExtendWith(RealServices.class)
class AuditTrailIT {
  private static final String A = Stack.APP;
  private static final String VIEWER = "viewer-a-key-0123456789abcdef";
  private static final String OPERATOR = "operator-a-key-0123456789abcdef";
  private static final String ADMIN = "admin-a-key-0123456789abcdef";
  private static final String OTHER = "admin-b-key-0123456789abcdef";
  private static final String B = "wxapp2";
  private Stack stack;
  private TestEnv env;

  @BeforeEach
  void start(TestEnv env) {
    this.env = env;
    stack = Stack.start(env, Map.of(
        "WECHAT_APPS", A + ":" + Stack.APP_SECRET + "," + B + ":app-secret-for-tests-2",
        // the admin key names no role: a key as written before roles is an admin
        "PUSH_API_KEYS", VIEWER + "=" + A + "@viewer," + OPERATOR + "=" + A + "@operator," + ADMIN + "=" + A + "," + OTHER + "=" + B),
        b -> b.app(B, "app-secret-for-tests-2"));
  }

  @AfterEach
  void stop() {
    stack.close();
  }

  /** The first 8 hex digits of the key's SHA-256: its name in the audit trail. */
  static String auditName(String key) throws Exception {
    byte[] d = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
    return HexFormat.of().formatHex(d).substring(0, 8);
  }

  @Test
  void createRetryCancelAndPolicyPutAreFourRecordsOnTheTopicAndInTheApiAndRefusedCallsNone() throws Exception {
    ApiClient api = stack.client;
    long before = System.currentTimeMillis();
    Map<String, Object> push = push("audited-1");

    api.push(OPERATOR, push).expect(202);
    assertThat(api.push(OPERATOR, push).expect(202).header("Idempotent-Replayed")).as("a replay changes nothing").contains("true");
    refused(api.push(VIEWER, push("by-viewer")), "forbidden_role");
    refused(api.cancelPush(VIEWER, A, "audited-1"), "forbidden_role");
    refused(api.retryPush(VIEWER, A, "audited-1"), "forbidden_role");
    refused(putPolicy(OPERATOR, A), "forbidden_role");
    refused(putPolicy(OTHER, A), "forbidden_app");
    refused(api.cancelPush(OTHER, A, "audited-1"), "forbidden_app");

    assertThat(api.retryPush(OPERATOR, A, "audited-1").expect(202).body().get("retried").asLong()).isZero();
    String cancel = api.cancelPush(OPERATOR, A, "audited-1").expect(202).body().get("state").asText(); // cancelling: not fanned out yet
    assertThat(cancel).isIn("cancelling", "cancelled");
    putPolicy(ADMIN, A).expect(200);
    long after = System.currentTimeMillis();

    String operator = auditName(OPERATOR);
    String admin = auditName(ADMIN);
    List<String> expected = List.of(
        "wxapp1 push.create audited-1 " + operator + " accepted",
        "wxapp1 push.retry audited-1 " + operator + " retried:0",
        "wxapp1 push.cancel audited-1 " + operator + " " + cancel,
        "wxapp1 policy.put policy " + admin + " replaced");

    // the topic, in the order the changes were made (one app's records share a partition)
    List<JsonNode> onTopic = readTopic(4);
    assertThat(onTopic).extracting(AuditTrailIT::line).containsExactlyElementsOf(expected);
    for (JsonNode r : onTopic) {
      assertThat(r.get("v").asInt()).isEqualTo(1);
      assertThat(r.get("at").asLong()).isBetween(before, after);
      assertThat(r.toString()).doesNotContain(OPERATOR).doesNotContain(ADMIN);
    }

    // GET /v1/audit: the same records, newest first
    JsonNode page = api.get("/v1/audit?appId=" + A, ADMIN).expect(200).body();
    List<JsonNode> records = new ArrayList<>();
    page.get("records").forEach(records::add);
    assertThat(records).extracting(AuditTrailIT::line).containsExactlyElementsOf(expected.reversed());
    assertThat(page.has("nextCursor")).isFalse();
    assertThat(records.get(0).fieldNames()).toIterable().containsExactly("at", "app", "action", "target", "key", "outcome");
    for (int i = 0; i < 4; i++) assertThat(records.get(i).get("at").asLong()).isEqualTo(onTopic.get(3 - i).get("at").asLong());

    // by pages of two
    JsonNode first = api.get("/v1/audit?appId=" + A + "&limit=2", ADMIN).expect(200).body();
    assertThat(first.get("records").findValuesAsText("action")).containsExactly("policy.put", "push.cancel");
    JsonNode second = api.get("/v1/audit?appId=" + A + "&limit=2&cursor=" + first.get("nextCursor").asText(), ADMIN).expect(200).body();
    assertThat(second.get("records").findValuesAsText("action")).containsExactly("push.retry", "push.create");
    assertThat(second.has("nextCursor")).as(second.toString()).isFalse();

    // the other app's trail is its own
    assertThat(api.get("/v1/audit?appId=" + B, OTHER).expect(200).body().get("records")).isEmpty();
  }

  @Test
  void onlyAnAdminKeyOfTheAppReadsItsAuditTrail() throws Exception {
    ApiClient api = stack.client;
    refused(api.get("/v1/audit?appId=" + A, VIEWER), "forbidden_role");
    refused(api.get("/v1/audit?appId=" + A, OPERATOR), "forbidden_role");
    refused(api.get("/v1/audit?appId=" + A, OTHER), "forbidden_app");
    refused(api.get("/v1/audit?appId=" + B, ADMIN), "forbidden_app");
    assertThat(api.get("/v1/audit?appId=" + A, ADMIN).expect(200).body().get("records")).isEmpty();
    assertThat(api.get("/v1/audit", ADMIN).status()).isEqualTo(400);
    assertThat(api.get("/v1/audit?appId=" + A + "&limit=0", ADMIN).status()).isEqualTo(400);
    assertThat(api.get("/v1/audit?appId=" + A + "&cursor=nope", ADMIN).status()).isEqualTo(400);
  }

  @Test
  void theTopicKeepsTheTrailFor400DaysNotKafkasWeek() throws Exception {
    try (Admin admin = KafkaClients.admin(env.kafkaBootstrapServers(), "audit-topic-check")) {
      ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, env.topic("audit"));
      Config config = admin.describeConfigs(List.of(topic)).all().get(30, TimeUnit.SECONDS).get(topic);
      assertThat(Long.parseLong(config.get("retention.ms").value())).isEqualTo(Duration.ofDays(400).toMillis());
    }
  }

  private static void refused(ApiClient.Reply reply, String code) {
    assertThat(reply.status()).as(reply.text()).isEqualTo(403);
    assertThat(reply.errorCode()).isEqualTo(code);
  }

  private static String line(JsonNode r) {
    return String.join(" ", r.get("app").asText(), r.get("action").asText(), r.get("target").asText(), r.get("key").asText(),
        r.get("outcome").asText());
  }

  /** Every record on the test's audit topic once there are {@code n}, in the order of its partition. */
  private List<JsonNode> readTopic(int n) throws Exception {
    String topic = env.topic("audit");
    try (KafkaConsumer<String, byte[]> consumer = KafkaClients.manualCommitConsumer(env.kafkaBootstrapServers(), "audit-reader-" + UUID.randomUUID(),
        "audit-reader", 100)) {
      List<TopicPartition> parts = consumer.partitionsFor(topic).stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
      consumer.assign(parts);
      consumer.seekToBeginning(parts);
      List<JsonNode> read = new ArrayList<>();
      await().atMost(Duration.ofSeconds(20)).until(() -> {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(300))) {
          assertThat(r.key()).isEqualTo(A);
          read.add(Json.MAPPER.readTree(r.value()));
        }
        return read.size() >= n;
      });
      // nothing more comes: a record after the last expected one would be a refused call's
      for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofSeconds(1))) read.add(Json.MAPPER.readTree(r.value()));
      return read;
    }
  }

  private ApiClient.Reply putPolicy(String key, String app) throws Exception {
    Map<String, Object> p = new HashMap<>();
    p.put("quietHours", null);
    p.put("maxPerUserPerDay", 3);
    p.put("reserveLast", false);
    return stack.client.send("PUT", "/v1/apps/" + app + "/policy", Map.of("Authorization", "Bearer " + key, "Content-Type", "application/json"),
        Json.writeString(p).getBytes(StandardCharsets.UTF_8));
  }

  private static Map<String, Object> push(String requestId) {
    return Map.of("requestId", requestId, "appId", A, "kind", "template", "templateId", "TPL_ORDER",
        "data", Map.of("keyword1", "hi"), "audience", Map.of("openIds", List.of("o-1")));
  }
}
