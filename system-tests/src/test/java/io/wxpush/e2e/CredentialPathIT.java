package io.wxpush.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.wxpush.user.UserRef;
import io.wxpush.ingest.session.SessionTokens;
import io.wxpush.secret.Secret;
import io.wxpush.kafka.KafkaClients;
import io.wxpush.redis.RedisConnections;
import io.wxpush.redis.RedisKeys;
import io.wxpush.testkit.ApiClient;
import io.wxpush.testkit.RealServices;
import io.wxpush.testkit.TestEnv;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.UnifiedJedis;
import io.wxpush.redis.RedisEndpoint;

@ExtendWith(RealServices.class)
class CredentialPathIT {
  private static final long DAY = Duration.ofDays(1).toMillis();
  private Stack stack;

  @BeforeEach
  void start(TestEnv env) {
    stack = Stack.start(env, Map.of());
  }

  @AfterEach
  void stop() {
    stack.close();
  }

  private static Map<String, Object> item(String kind, String value, long collectedAt) {
    return ApiClient.credential(kind, value, collectedAt);
  }

  @Test
  void uploadedCredentialsReachTheUsersPoolWithTheirExpiries() throws Exception {
    stack.worker("credentials", Map.of());
    String token = stack.login("o-alice");
    long now = System.currentTimeMillis();
    List<String> formIds = stack.sim.mintFormIds(Stack.APP, "o-alice", 3);
    String prepay = stack.sim.mintPrepayId(Stack.APP, "o-alice");
    List<Map<String, Object>> items = new ArrayList<>();
    for (int i = 0; i < 3; i++) items.add(item("form_id", formIds.get(i), now - (i + 1) * DAY));
    items.add(item("prepay_id", prepay, now - 2 * DAY));
    items.add(ApiClient.grant("TPL_SUB", stack.sim.grantSubscription(Stack.APP, "o-alice", "TPL_SUB"), now));
    items.add(ApiClient.grant("TPL_SUB", stack.sim.grantSubscription(Stack.APP, "o-alice", "TPL_SUB"), now));

    ApiClient.Reply reply = stack.client.uploadCredentials(token, items);
    assertThat(reply.status()).isEqualTo(202);
    assertThat(reply.body().get("accepted").asInt()).isEqualTo(6);
    assertThat(reply.body().get("rejected")).isEmpty();

    JsonNode seen = await().atMost(Duration.ofSeconds(20)).until(
        () -> stack.client.userCredentials(Stack.API_KEY, Stack.APP, "o-alice").body(),
        b -> b.path("sendsLeft").asInt() == 6 && b.path("grants").path("TPL_SUB").asInt() == 2);
    assertThat(seen.get("formIds").asInt()).isEqualTo(3);
    assertThat(seen.get("prepayIds").asInt()).isEqualTo(1);
    // expiries are kept to the second (a listpack's small integers)
    assertThat(seen.get("soonestExpiry").asLong()).isEqualTo((now - 3 * DAY + 7 * DAY) / 1000 * 1000);

    // the pool itself: exactly those entries, scored by collection time + 7 days, in seconds
    try (UnifiedJedis redis = redis()) {
      var pool = redis.zrangeWithScores(new RedisKeys(stack.env.redisKeyPrefix()).templatePool(new UserRef(Stack.APP, "o-alice")), 0, -1);
      Map<String, Long> expiries = pool.stream().collect(Collectors.toMap(t -> t.getElement(), t -> (long) t.getScore()));
      assertThat(expiries).containsOnlyKeys("f:" + formIds.get(0), "f:" + formIds.get(1), "f:" + formIds.get(2),
          "p:" + prepay + ":1", "p:" + prepay + ":2", "p:" + prepay + ":3");
      assertThat(expiries.get("f:" + formIds.get(0))).isEqualTo((now - DAY + 7 * DAY) / 1000);
      assertThat(expiries.get("p:" + prepay + ":1")).isEqualTo((now - 2 * DAY + 7 * DAY) / 1000);
    }
  }

  @Test
  void everyBadInputGetsA4xxWithAStableCodeAndPublishesNothing() throws Exception {
    String token = stack.login("o-bob");
    long now = System.currentTimeMillis();
    long before = endOffsets();
    String forged = forgedToken();
    String expired = new SessionTokens(Secret.of(Stack.SIGNING_KEY), Set.of(Stack.APP), Duration.ofMillis(1), Clock.systemUTC())
        .mint(new UserRef(Stack.APP, "o-bob"));
    String otherApp = new SessionTokens(Secret.of(Stack.SIGNING_KEY), Set.of("wxother"), Duration.ofHours(1), Clock.systemUTC())
        .mint(new UserRef("wxother", "o-bob"));
    List<Map<String, Object>> tooMany = new ArrayList<>();
    for (int i = 0; i < 101; i++) tooMany.add(item("form_id", "f" + i, now));

    Map<String, Object> cases = new HashMap<>();
    cases.put("malformed_json|" + token, "{\"credentials\": [");
    cases.put("invalid_request|" + token, "[1,2,3]");
    cases.put("invalid_request|" + token + "|missing", Map.of("nothing", 1));
    cases.put("too_many_credentials|" + token, Map.of("credentials", tooMany));
    cases.put("body_too_large|" + token, "{\"credentials\":[" + "{\"kind\":\"form_id\",\"value\":\"x\",\"collectedAt\":1},".repeat(3000) + "{}]}");
    cases.put("no_valid_credentials|" + token + "|kind", Map.of("credentials", List.of(item("sms", "abc", now))));
    cases.put("no_valid_credentials|" + token + "|mock", Map.of("credentials", List.of(item("form_id", "the formId is a mock one", now))));
    cases.put("no_valid_credentials|" + token + "|long", Map.of("credentials", List.of(item("form_id", "x".repeat(129), now))));
    cases.put("no_valid_credentials|" + token + "|old", Map.of("credentials", List.of(item("form_id", "abc", now - 8 * DAY))));
    cases.put("no_valid_credentials|" + token + "|grant", Map.of("credentials", List.of(Map.of("kind", "subscription", "value", "g", "collectedAt", now))));
    cases.put("unauthorized|" + forged, Map.of("credentials", List.of(item("form_id", "abc", now))));
    cases.put("unauthorized|" + expired, Map.of("credentials", List.of(item("form_id", "abc", now))));
    cases.put("unauthorized|" + otherApp, Map.of("credentials", List.of(item("form_id", "abc", now))));
    cases.put("unauthorized|none", Map.of("credentials", List.of(item("form_id", "abc", now))));

    for (var c : cases.entrySet()) {
      String[] parts = c.getKey().split("\\|");
      String bearer = parts[1].equals("none") ? null : parts[1];
      ApiClient.Reply reply = stack.client.post("/v1/credentials", bearer, c.getValue());
      assertThat(reply.status()).as(c.getKey()).isBetween(400, 499);
      assertThat(reply.errorCode()).as(c.getKey()).isEqualTo(parts[0]);
    }
    ApiClient.Reply mock = stack.client.uploadCredentials(token, List.of(item("form_id", "the formId is a mock one", now)));
    assertThat(mock.body().path("error").path("rejected").get(0).path("reason").asText()).isEqualTo("mock_form_id");
    // the admin read wants a push API key, and sessions want a known app and a real code
    assertThat(stack.client.userCredentials("wrong-key", Stack.APP, "o-bob").status()).isEqualTo(401);
    assertThat(stack.client.createSession(Stack.APP, "not-a-code").errorCode()).isEqualTo("invalid_code");
    assertThat(stack.client.createSession("wxnope", "c").errorCode()).isEqualTo("unknown_app");

    assertThat(endOffsets()).as("records on the credentials topic").isEqualTo(before);
  }

  @Test
  void aFutureCollectionTimeIsClampedAndMixedUploadsListEachRejection() throws Exception {
    stack.worker("credentials", Map.of());
    String token = stack.login("o-carol");
    long now = System.currentTimeMillis();
    String formId = stack.sim.mintFormIds(Stack.APP, "o-carol", 1).getFirst();
    ApiClient.Reply reply = stack.client.uploadCredentials(token, List.of(
        item("form_id", "the formId is a mock one", now),
        item("form_id", formId, now + 3 * DAY)));
    assertThat(reply.status()).isEqualTo(202);
    assertThat(reply.body().get("accepted").asInt()).isEqualTo(1);
    assertThat(reply.body().get("rejected").get(0).get("index").asInt()).isZero();
    assertThat(reply.body().get("rejected").get(0).get("reason").asText()).isEqualTo("mock_form_id");
    JsonNode seen = await().atMost(Duration.ofSeconds(20)).until(
        () -> stack.client.userCredentials(Stack.API_KEY, Stack.APP, "o-carol").body(),
        b -> b.path("formIds").asInt() == 1);
    assertThat(seen.get("soonestExpiry").asLong()).isBetween((now + 7 * DAY) / 1000 * 1000, System.currentTimeMillis() + 7 * DAY);
  }

  private String forgedToken() {
    String real = new SessionTokens(Secret.of("another-signing-key-0123456789abcdef"), Set.of(Stack.APP), Duration.ofHours(1), Clock.systemUTC())
        .mint(new UserRef(Stack.APP, "o-bob"));
    return real;
  }

  private UnifiedJedis redis() {
    return io.wxpush.redis.RedisConnections.open(io.wxpush.redis.RedisEndpoint.parse(stack.env.redisUrl()), 2);
  }

  private long endOffsets() throws Exception {
    try (Admin admin = KafkaClients.admin(stack.env.kafkaBootstrapServers(), "it")) {
      String topic = stack.env.topic("credentials");
      var partitions = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions();
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      for (var p : partitions) latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest());
      return admin.listOffsets(latest).all().get().values().stream().mapToLong(o -> o.offset()).sum();
    }
  }
}
