package io.wxpush.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.wxpush.user.UserRef;
import io.wxpush.json.Json;
import io.wxpush.sim.SimMessage;
import io.wxpush.sim.SimTemplate;
import io.wxpush.testkit.ApiClient;
import io.wxpush.testkit.RealServices;
import io.wxpush.testkit.TestEnv;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Spending credentials wisely (issue 17, BRIEF §3 v2): an app's policy — a frequency cap checked
 * inside the claim, quiet hours that pause fan-outs and hold senders' tasks, a reserve for low
 * pushes — priorities, the recall audience, and which credential a push spends first.
 */
@ExtendWith(RealServices.class)
class PolicyIT {
  private static final Duration SLOW = Duration.ofSeconds(120);

  private static Map<String, Object> push(String priority, Map<String, Object> audience) {
    return Stack.templatePush(priority, audience);
  }

  private static ApiClient.Reply putPolicy(Stack stack, Map<String, Object> policy) throws Exception {
    return stack.client.send("PUT", "/v1/apps/" + Stack.APP + "/policy",
        Map.of("Authorization", "Bearer " + Stack.API_KEY, "Content-Type", "application/json"),
        Json.writeString(policy).getBytes(StandardCharsets.UTF_8));
  }

  private static Map<String, Object> policy(Map<String, Object> quietHours, Integer cap, boolean reserveLast) {
    Map<String, Object> p = new HashMap<>();
    p.put("quietHours", quietHours);
    p.put("maxPerUserPerDay", cap);
    p.put("reserveLast", reserveLast);
    return p;
  }

  private static Map<String, Object> window(LocalTime from, LocalTime to) {
    return Map.of("from", hhmm(from), "to", hhmm(to), "zone", "UTC");
  }

  private static String hhmm(LocalTime t) {
    return String.format("%02d:%02d", t.getHour(), t.getMinute());
  }

  private static Stack stack(TestEnv env) {
    Stack stack = Stack.start(env, Map.of());
    stack.sim.registerTemplate(new SimTemplate(Stack.APP, "TPL_ORDER", SimTemplate.Kind.TEMPLATE, List.of("keyword1"), Set.of()));
    return stack;
  }

  private static long reason(JsonNode status, String reason) {
    return status.path("byReason").path(reason).asLong();
  }

  @Test
  void aCapOfOneLetsTwoRacingPushesReachEachUserOnceAndACriticalPushStillGoesOut(TestEnv env) throws Exception {
    try (Stack stack = stack(env)) {
      // the API: a default first, then field errors for what cannot be a policy, and nothing stored by them
      JsonNode initial = stack.client.get("/v1/apps/" + Stack.APP + "/policy", Stack.API_KEY).expect(200).body();
      assertThat(initial.path("default").asBoolean()).isTrue();
      assertThat(initial.path("maxPerUserPerDay").isNull()).isTrue();
      Map<String, Object> bad = policy(Map.of("from", "22:00", "to", "22:00", "zone", "Mars/Olympus"), 0, false);
      ApiClient.Reply refused = putPolicy(stack, bad);
      assertThat(refused.status()).isEqualTo(400);
      assertThat(refused.errorCode()).isEqualTo("invalid_policy");
      assertThat(refused.body().path("error").path("fields").findValuesAsText("field"))
          .contains("quietHours.zone", "quietHours.to", "maxPerUserPerDay");
      assertThat(putPolicy(stack, Map.of("maxPerUserPerDy", 1)).status()).as("a typo is refused, not ignored").isEqualTo(400);
      assertThat(stack.client.get("/v1/apps/" + Stack.APP + "/policy", Stack.API_KEY).body().path("default").asBoolean()).isTrue();
      assertThat(stack.client.get("/v1/apps/nope/policy", Stack.API_KEY).status()).isEqualTo(404);
      assertThat(stack.client.get("/v1/apps/" + Stack.APP + "/policy", "wrong-key-0123456789abcdefgh").status()).isEqualTo(401);

      JsonNode stored = putPolicy(stack, policy(null, 1, false)).expect(200).body();
      assertThat(stored.path("maxPerUserPerDay").asInt()).isEqualTo(1);
      assertThat(stored.path("default").asBoolean()).isFalse();

      List<String> users = Stack.users("cap", 200);
      stack.seedFormIds(users, 3, System.currentTimeMillis());
      stack.worker("fanout,sender", Map.of("SENDER_CONCURRENCY", "64", "FANOUT_PAGE", "50"));
      CompletableFuture<String> a = CompletableFuture.supplyAsync(() -> pushOrFail(stack, push(null, Map.of("openIds", users))));
      CompletableFuture<String> b = CompletableFuture.supplyAsync(() -> pushOrFail(stack, push(null, Map.of("openIds", users))));
      JsonNode first = stack.awaitState(a.get(), "done");
      JsonNode second = stack.awaitState(b.get(), "done");

      assertThat(first.path("sent").asLong() + second.path("sent").asLong()).as(first + " / " + second).isEqualTo(200);
      assertThat(reason(first, "capped") + reason(second, "capped")).as("the other push counts every user capped").isEqualTo(200);
      assertThat(first.path("noCredential").asLong() + second.path("noCredential").asLong()).isEqualTo(200);
      for (String u : users) assertThat(stack.sim.inbox(Stack.APP, u)).as("messages to " + u).hasSize(1);
      assertThat(users.stream().mapToLong(stack::sendsLeft).sum()).as("a capped user keeps their credential").isEqualTo(3L * 200 - 200);

      // critical ignores the cap: everyone who still has a credential gets it
      String critical = stack.push(push("critical", Map.of("openIds", users)));
      JsonNode c = stack.awaitState(critical, "done");
      assertThat(c.path("sent").asLong()).as(c.toString()).isEqualTo(200);
      for (String u : users) assertThat(stack.sim.inbox(Stack.APP, u)).hasSize(2);

      // and a normal push after it is capped again (the critical one counted too)
      String after = stack.push(push(null, Map.of("openIds", users.subList(0, 10))));
      JsonNode d = stack.awaitState(after, "done");
      assertThat(reason(d, "capped")).as(d.toString()).isEqualTo(10);
    }
  }

  private static String pushOrFail(Stack stack, Map<String, Object> body) {
    try {
      return stack.push(body);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void quietHoursPauseTheFanOutAndHoldPublishedTasksUntilTheWindowIsMovedAndCriticalGoesThrough(TestEnv env) throws Exception {
    try (Stack stack = stack(env)) {
      List<String> users = Stack.users("qh", 100);
      List<String> urgent = users.subList(0, 10);
      stack.seedFormIds(users, 3, System.currentTimeMillis());
      // a fan-out only: the first broadcast's tasks wait on Kafka for a sender
      stack.worker("fanout", Map.of("FANOUT_PAGE", "25"));
      String published = stack.push(push(null, Map.of("all", true)));
      await().atMost(SLOW).until(() -> stack.status(published).path("targets").asLong() == 100
          && "sending".equals(stack.status(published).path("state").asText()));

      LocalTime now = LocalTime.now(ZoneOffset.UTC);
      putPolicy(stack, policy(window(now.minusHours(1), now.plusHours(1)), null, false)).expect(200);
      Stack.policySeenEverywhere();
      String paused = stack.push(push(null, Map.of("all", true)));
      JsonNode waiting = await().atMost(SLOW).until(() -> stack.status(paused), s -> s.hasNonNull("resumesAt"));
      assertThat(waiting.path("state").asText()).isEqualTo("sending");
      assertThat(waiting.path("resumesAt").asLong()).isGreaterThan(System.currentTimeMillis() + Duration.ofMinutes(50).toMillis());

      stack.worker("sender", Map.of("SENDER_CONCURRENCY", "32"));
      await().atMost(SLOW).until(() -> stack.status(published).hasNonNull("resumesAt")); // the sender holds what was published
      String critical = stack.push(push("critical", Map.of("openIds", urgent)));
      JsonNode c = stack.awaitState(critical, "done");
      assertThat(c.path("sent").asLong()).as("critical goes out inside the window").isEqualTo(10);
      Stack.staysTrue(Duration.ofSeconds(3), () -> stack.sim.deliveredCount() == 10);
      assertThat(stack.status(published).path("sent").asLong()).isZero();
      assertThat(stack.status(paused).path("targets").asLong()).as("paused before its first page").isZero();

      // the window is moved so that it ends now: both pushes go on, everyone once each
      LocalTime end = LocalTime.now(ZoneOffset.UTC);
      putPolicy(stack, policy(window(end.minusHours(2), end), null, false)).expect(200);
      JsonNode p1 = stack.awaitState(published, "done");
      JsonNode p2 = stack.awaitState(paused, "done");
      assertThat(p1.path("sent").asLong()).as(p1.toString()).isEqualTo(100);
      assertThat(p2.path("sent").asLong()).as(p2.toString()).isEqualTo(100);
      assertThat(p1.has("resumesAt")).isFalse();
      for (String u : users) {
        List<SimMessage> inbox = stack.sim.inbox(Stack.APP, u);
        assertThat(inbox).as("messages to " + u).hasSize(urgent.contains(u) ? 3 : 2);
      }
    }
  }

  @Test
  void aLowPushKeepsTheLastCredentialTheRecallReachesOnlyTheExpiringAndAFormIdGoesBeforeAPrepayId(TestEnv env) throws Exception {
    try (Stack stack = stack(env)) {
      putPolicy(stack, policy(null, null, true)).expect(200);
      List<String> one = Stack.users("r1-", 50);
      List<String> two = Stack.users("r2-", 50);
      long now = System.currentTimeMillis();
      stack.seedFormIds(one, 1, now);
      stack.seedFormIds(two, 2, now);
      stack.worker("fanout,sender", Map.of("SENDER_CONCURRENCY", "32", "FANOUT_PAGE", "40"));
      List<String> both = new ArrayList<>(one);
      both.addAll(two);
      JsonNode low = stack.awaitState(stack.push(push("low", Map.of("openIds", both))), "done");
      assertThat(low.path("sent").asLong()).as(low.toString()).isEqualTo(50);
      assertThat(reason(low, "reserved")).isEqualTo(50);
      for (String u : one) assertThat(stack.sim.inbox(Stack.APP, u)).as(u).isEmpty();
      for (String u : two) assertThat(stack.sim.inbox(Stack.APP, u)).as(u).hasSize(1);
      assertThat(both.stream().mapToLong(stack::sendsLeft).sum()).isEqualTo(100);
      JsonNode normal = stack.awaitState(stack.push(push(null, Map.of("openIds", one))), "done");
      assertThat(normal.path("sent").asLong()).as("a normal push may spend the last one").isEqualTo(50);
      putPolicy(stack, policy(null, null, false)).expect(200);

      // recall: users whose credentials were collected 6.5 days ago, and users with fresh ones
      List<String> old = Stack.users("old-", 60);
      List<String> fresh = Stack.users("fresh-", 60);
      stack.seedFormIds(old, 1, now - Duration.ofHours(156).toMillis());
      stack.seedFormIds(fresh, 1, now);
      ApiClient.Reply tooLong = stack.client.push(Stack.API_KEY, push(null, Map.of("expiringWithin", "8d")));
      assertThat(tooLong.status()).isEqualTo(400);
      assertThat(tooLong.body().path("error").path("fields").findValuesAsText("field")).contains("audience.expiringWithin");
      JsonNode recall = stack.awaitState(stack.push(push(null, Map.of("expiringWithin", "1d"))), "done");
      assertThat(recall.path("targets").asLong()).as(recall.toString()).isEqualTo(60);
      assertThat(recall.path("sent").asLong()).isEqualTo(60);
      for (String u : old) assertThat(stack.sim.inbox(Stack.APP, u)).as(u).hasSize(1);
      for (String u : fresh) assertThat(stack.sim.inbox(Stack.APP, u)).as(u).isEmpty();

      // a user holding a form_id and a prepay_id of the same expiry is sent with the form_id
      List<String> mixed = Stack.users("mix-", 5);
      long at = now - 1000;
      stack.seedPrepayIds(mixed, at);
      stack.seedFormIds(mixed, 1, at);
      stack.awaitState(stack.push(push(null, Map.of("openIds", mixed))), "done");
      try (var redis = stack.redis()) {
        var pool = stack.pool(redis);
        for (String u : mixed) {
          assertThat(stack.sim.inbox(Stack.APP, u)).hasSize(1);
          var left = pool.inspect(new io.wxpush.user.UserRef(Stack.APP, u));
          assertThat(left.formIds()).as("the form_id was spent: " + left).isZero();
          assertThat(left.sendsLeft()).as("the prepay_id's three sends are left: " + left).isEqualTo(3);
        }
      }
    }
  }
}
