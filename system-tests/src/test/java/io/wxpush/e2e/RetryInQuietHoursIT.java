package io.wxpush.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.wxpush.json.Json;
import io.wxpush.redis.RedisKeys;
import io.wxpush.sim.SimTemplate;
import io.wxpush.testkit.RealServices;
import io.wxpush.testkit.TestEnv;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 27 item 3 (BRIEF rule 10): a retry round's tasks that meet quiet hours are held with the
 * round's own run and released under it when the window ends, so each dead-lettered user gets
 * exactly one message (released under the push's first run, whose ledger entries are final, they
 * were recorded failed again and lost).
 */
@ExtendWith(RealServices.class)
class RetryInQuietHoursIT {
  private static String hhmm(LocalTime t) {
    return String.format("%02d:%02d", t.getHour(), t.getMinute());
  }

  private static void putQuietHours(Stack stack, LocalTime from, LocalTime to) throws Exception {
    Map<String, Object> policy = new HashMap<>();
    policy.put("quietHours", Map.of("from", hhmm(from), "to", hhmm(to), "zone", "UTC"));
    policy.put("maxPerUserPerDay", null);
    policy.put("reserveLast", false);
    stack.client.send("PUT", "/v1/apps/" + Stack.APP + "/policy", Map.of("Authorization", "Bearer " + Stack.API_KEY,
        "Content-Type", "application/json"), Json.writeString(policy).getBytes(StandardCharsets.UTF_8)).expect(200);
  }

  @Test
  void deadLetteredUsersRetriedInQuietHoursGetExactlyOneMessageWhenTheWindowEnds(TestEnv env) throws Exception {
    try (Stack stack = Stack.start(env, Map.of())) {
      stack.sim.registerTemplate(new SimTemplate(Stack.APP, "TPL_ORDER", SimTemplate.Kind.TEMPLATE, List.of("keyword1"), Set.of()));
      List<String> openIds = Stack.users("rq", 20);
      stack.seedFormIds(openIds, 1, System.currentTimeMillis());
      stack.sim.faults().dailyQuota(Stack.APP, 10);
      stack.worker("fanout,sender", Map.of());
      String rid = stack.push(Map.of("appId", Stack.APP, "kind", "template", "templateId", "TPL_ORDER",
          "data", Map.of("keyword1", "hi"), "audience", Map.of("openIds", openIds)));
      JsonNode first = stack.awaitState(rid, "done");
      assertThat(first.path("sent").asLong()).isEqualTo(10);
      assertThat(first.path("retryable").asLong()).as("dead-lettered, surely unsent: " + first).isEqualTo(10);

      // WeChat's quota resets, the app's pause ends — and quiet hours begin
      stack.sim.faults().clear();
      try (var redis = stack.redis()) {
        redis.del(new RedisKeys(env.redisKeyPrefix()).pause(Stack.APP));
      }
      LocalTime now = LocalTime.now(ZoneOffset.UTC);
      putQuietHours(stack, now.minusHours(1), now.plusHours(1));
      Stack.policySeenEverywhere();

      assertThat(stack.client.post("/v1/pushes/" + rid + "/retry", Stack.API_KEY, Map.of()).expect(202).body().path("retried").asLong())
          .isEqualTo(10);
      JsonNode held = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
          .until(() -> stack.status(rid), s -> s.hasNonNull("resumesAt"));
      assertThat(held.path("state").asText()).as("the round reopened it: " + held).isEqualTo("sending");
      assertThat(held.path("final").asBoolean()).isFalse();
      Stack.staysTrue(Duration.ofSeconds(2), () -> stack.sim.deliveredCount() == 10);

      // the window ends: the round's held users are sent under the round, once each
      LocalTime end = LocalTime.now(ZoneOffset.UTC);
      putQuietHours(stack, end.minusHours(2), end);
      JsonNode done = await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
          .until(() -> stack.status(rid), s -> "done".equals(s.path("state").asText()) && !s.hasNonNull("resumesAt"));
      assertThat(done.path("sent").asLong()).as(done.toString()).isEqualTo(20);
      assertThat(done.path("failed").asLong()).isZero();
      assertThat(done.path("final").asBoolean()).isTrue();
      Stack.staysTrue(Duration.ofSeconds(2), () -> openIds.stream().allMatch(o -> stack.sim.inbox(Stack.APP, o).size() == 1));
      assertThat(done.path("retryable").asLong()).isZero();
    }
  }
}
