package io.wxpush.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.wxpush.json.Json;
import io.wxpush.kafka.KafkaClients;
import io.wxpush.redis.RedisKeys;
import io.wxpush.sim.SimTemplate;
import io.wxpush.testkit.ApiClient;
import io.wxpush.testkit.RealServices;
import io.wxpush.testkit.TestEnv;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * A dry run (issue 31, BRIEF §3 v3 {@code "dryRun": true}): the estimate is what the same push sent
 * right after does — its targets, the users it reaches, those the cap and the reserve skip — and
 * asking for it changes nothing in Redis and publishes nothing.
 */
@ExtendWith(RealServices.class)
class DryRunIT {
  /** Keys that processes write on their own while idle (heartbeats, the template list, tokens): not the dry run's doing. */
  private static final Set<RedisKeys.Family> BACKGROUND = Set.of(RedisKeys.Family.FLEET, RedisKeys.Family.HEARTBEAT, RedisKeys.Family.TEMPLATES,
      RedisKeys.Family.TEMPLATES_LOCK, RedisKeys.Family.TEMPLATES_GONE, RedisKeys.Family.TOKEN, RedisKeys.Family.TOKEN_LOCK);

  private static Map<String, Object> push(String priority, Map<String, Object> audience) {
    return Stack.templatePush(priority, audience);
  }

  private static Map<String, Object> dry(Map<String, Object> body) {
    Map<String, Object> d = new LinkedHashMap<>(body);
    d.put("dryRun", true);
    return d;
  }

  @Test
  void theEstimateIsWhatThePushSentRightAfterDoesAndAskingForItChangesNothing(TestEnv env) throws Exception {
    try (Stack stack = Stack.start(env, Map.of())) {
      stack.sim.registerTemplate(new SimTemplate(Stack.APP, "TPL_ORDER", SimTemplate.Kind.TEMPLATE, List.of("keyword1"), Set.of()));
      stack.client.send("PUT", "/v1/apps/" + Stack.APP + "/policy",
          Map.of("Authorization", "Bearer " + Stack.API_KEY, "Content-Type", "application/json"),
          Json.writeString(Map.of("maxPerUserPerDay", 1, "reserveLast", true)).getBytes(StandardCharsets.UTF_8)).expect(200);
      long now = System.currentTimeMillis();
      List<String> many = Stack.users("many-", 20); // three form_ids: reached with a form_id
      List<String> last = Stack.users("last-", 10); // one form_id: a low push keeps it (reserved)
      List<String> prepay = Stack.users("pay-", 5); // one prepay_id: reached with it
      List<String> atCap = Stack.users("cap-", 10); // two form_ids, one message today: capped
      List<String> spent = Stack.users("spent-", 5); // one form_id, spent today: still indexed, holds nothing
      stack.seedFormIds(many, 3, now);
      stack.seedFormIds(last, 1, now);
      stack.seedPrepayIds(prepay, now);
      stack.seedFormIds(atCap, 2, now);
      stack.seedFormIds(spent, 1, now);
      Stack.policySeenEverywhere();
      stack.worker("fanout,sender", Map.of("SENDER_CONCURRENCY", "32"));
      List<String> earlier = new ArrayList<>(atCap);
      earlier.addAll(spent);
      assertThat(stack.awaitState(stack.push(push(null, Map.of("openIds", earlier))), "done").path("sent").asLong()).isEqualTo(15);

      Map<String, Object> everyone = push("low", Map.of("all", true));
      Map<String, Stored> redisBefore = snapshot(stack);
      long offsetsBefore = endOffsets(stack);
      JsonNode estimate = stack.client.push(Stack.API_KEY, dry(everyone)).expect(200).body();
      JsonNode listed = stack.client.push(Stack.API_KEY, dry(push("low", Map.of("openIds", all(many, last, prepay, atCap, spent))))).expect(200).body();
      JsonNode recall = stack.client.push(Stack.API_KEY, dry(push("low", Map.of("expiringWithin", "7d")))).expect(200).body();
      Map<String, Stored> redisAfter = snapshot(stack);
      assertThat(redisAfter.keySet()).as("no key made or removed").isEqualTo(redisBefore.keySet());
      redisBefore.forEach((key, before) -> {
        Stored after = redisAfter.get(key);
        assertThat(after.dump()).as("the value of " + key).isEqualTo(before.dump());
        // a TTL only runs down: none set, refreshed or taken away
        assertThat(after.ttlMs() < 0).as("whether " + key + " expires").isEqualTo(before.ttlMs() < 0);
        assertThat(after.ttlMs()).as("the TTL of " + key).isLessThanOrEqualTo(before.ttlMs());
      });
      assertThat(endOffsets(stack)).as("nothing published").isEqualTo(offsetsBefore);

      assertThat(estimate.path("targets").asLong()).as(estimate.toString()).isEqualTo(50);
      assertThat(estimate.path("reachable").asLong()).isEqualTo(25);
      assertThat(estimate.path("byKind").path("form_id").asLong()).isEqualTo(20);
      assertThat(estimate.path("byKind").path("prepay_id").asLong()).isEqualTo(5);
      assertThat(estimate.path("capped").asLong()).isEqualTo(10);
      assertThat(estimate.path("reserved").asLong()).isEqualTo(10);
      assertThat(estimate.path("exact").asBoolean()).as("a small app is counted whole").isTrue();
      assertThat(estimate.path("problems").isArray() && estimate.path("problems").isEmpty()).isTrue();
      assertThat(estimate.has("quietUntil")).isFalse();
      assertThat(estimate.has("quotaRemain")).as("the quota read is the subscribe send's").isFalse();
      for (String field : List.of("targets", "reachable", "capped", "reserved")) {
        assertThat(listed.path(field)).as("listed: " + listed).isEqualTo(estimate.path(field));
      }
      assertThat(recall.path("targets").asLong()).as("the recall leaves out who holds nothing live: " + recall).isEqualTo(45);

      JsonNode real = stack.awaitState(stack.push(everyone), "done");
      assertThat(real.path("targets").asLong()).as(real.toString()).isEqualTo(estimate.path("targets").asLong());
      assertThat(real.path("sent").asLong() + real.path("failed").asLong() + real.path("unknown").asLong())
          .isEqualTo(estimate.path("reachable").asLong());
      assertThat(real.path("byReason").path("capped").asLong()).isEqualTo(estimate.path("capped").asLong());
      assertThat(real.path("byReason").path("reserved").asLong()).isEqualTo(estimate.path("reserved").asLong());
    }
  }

  @Test
  void aDryRunAnswersTheTemplateChecksProblemsAndQuietHoursInsteadOfRefusing(TestEnv env) throws Exception {
    try (Stack stack = Stack.start(env, Map.of(), sim -> sim.dailyQuota(Stack.APP, 500))) {
      stack.seedGrants(Stack.users("g-", 3), "TPL_SUB");
      await().atMost(Duration.ofSeconds(60)).until(
          () -> stack.client.get("/v1/apps/" + Stack.APP, Stack.API_KEY).body().path("quota").path("remain").asLong(-1) == 500);
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("appId", Stack.APP);
      body.put("kind", "subscribe");
      body.put("templateId", "TPL_SUB");
      body.put("data", Map.of("thing1", "a thing far longer than twenty characters"));
      body.put("audience", Map.of("all", true));
      assertThat(stack.client.push(Stack.API_KEY, body).status()).as("the push itself is refused").isEqualTo(400);
      JsonNode estimate = stack.client.push(Stack.API_KEY, dry(body)).expect(200).body();
      assertThat(estimate.path("problems").findValuesAsText("field")).as(estimate.toString()).contains("data.thing1");
      assertThat(estimate.path("targets").asLong()).isEqualTo(3);
      assertThat(estimate.path("byKind").path("subscription").asLong()).isEqualTo(3);
      assertThat(estimate.path("quotaRemain").asLong()).as("today's subscribe sends left, as WeChat last said").isEqualTo(500);

      // quiet hours around now: a push that is not critical would wait until they end
      java.time.LocalTime at = java.time.LocalTime.now(java.time.ZoneOffset.UTC).withSecond(0).withNano(0);
      Map<String, Object> quiet = new LinkedHashMap<>();
      quiet.put("quietHours", Map.of("from", String.format("%tR", at.minusHours(1)), "to", String.format("%tR", at.plusHours(1)), "zone", "UTC"));
      stack.client.send("PUT", "/v1/apps/" + Stack.APP + "/policy",
          Map.of("Authorization", "Bearer " + Stack.API_KEY, "Content-Type", "application/json"),
          Json.writeString(quiet).getBytes(StandardCharsets.UTF_8)).expect(200);
      long end = System.currentTimeMillis() + Duration.ofHours(1).toMillis();
      JsonNode held = stack.client.push(Stack.API_KEY, dry(body)).expect(200).body();
      assertThat(held.path("quietUntil").asLong()).as(held.toString()).isBetween(end - 120_000, end + 60_000);
      Map<String, Object> critical = new LinkedHashMap<>(body);
      critical.put("priority", "critical");
      assertThat(stack.client.push(Stack.API_KEY, dry(critical)).expect(200).body().has("quietUntil")).isFalse();

      Map<String, Object> notBoolean = new LinkedHashMap<>(body);
      notBoolean.put("dryRun", "yes");
      ApiClient.Reply refused = stack.client.push(Stack.API_KEY, notBoolean);
      assertThat(refused.status()).isEqualTo(400);
      assertThat(refused.body().path("error").path("fields").findValuesAsText("field")).contains("dryRun");
    }
  }

  @SafeVarargs
  private static List<String> all(List<String>... lists) {
    List<String> out = new ArrayList<>();
    for (List<String> l : lists) out.addAll(l);
    return out;
  }

  /** A key's serialized value ({@code DUMP}, base64) and its TTL in ms (negative: none). */
  private record Stored(String dump, long ttlMs) {}

  /** Every key of the test's prefix but the background families. */
  private static Map<String, Stored> snapshot(Stack stack) {
    Map<String, Stored> out = new TreeMap<>();
    String prefix = stack.env.redisKeyPrefix();
    try (UnifiedJedis redis = stack.redis()) {
      String cursor = ScanParams.SCAN_POINTER_START;
      do {
        ScanResult<String> page = redis.scan(cursor, new ScanParams().match(prefix + "*").count(1000));
        for (String key : page.getResult()) {
          var family = RedisKeys.Family.of(key.substring(prefix.length()));
          if (family.isPresent() && BACKGROUND.contains(family.get())) continue;
          byte[] dump = redis.dump(key);
          long ttl = redis.pttl(key);
          out.put(key, new Stored(dump == null ? "gone" : Base64.getEncoder().encodeToString(dump), ttl));
        }
        cursor = page.getCursor();
      } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
    }
    return out;
  }

  /** The sum of the end offsets of every topic of the test. */
  private static long endOffsets(Stack stack) throws Exception {
    try (Admin admin = KafkaClients.admin(stack.env.kafkaBootstrapServers(), "it-dry")) {
      List<String> topics = admin.listTopics().names().get().stream().filter(t -> t.startsWith(stack.env.topicPrefix())).toList();
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      admin.describeTopics(topics).allTopicNames().get().forEach((name, d) -> d.partitions()
          .forEach(p -> latest.put(new TopicPartition(name, p.partition()), OffsetSpec.latest())));
      return admin.listOffsets(latest).all().get().values().stream().mapToLong(o -> o.offset()).sum();
    }
  }
}
