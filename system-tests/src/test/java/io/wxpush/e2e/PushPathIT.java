package io.wxpush.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.wxpush.credentials.Credential;
import io.wxpush.credentials.CredentialKind;
import io.wxpush.user.UserRef;
import io.wxpush.sim.SimMessage;
import io.wxpush.sim.SimTemplate;
import io.wxpush.testkit.ApiClient;
import io.wxpush.testkit.RealServices;
import io.wxpush.testkit.TestEnv;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(RealServices.class)
class PushPathIT {
  private static final long DAY = Duration.ofDays(1).toMillis();
  private Stack stack;

  @BeforeEach
  void start(TestEnv env) {
    stack = Stack.start(env, Map.of());
    stack.sim.registerTemplate(new SimTemplate(Stack.APP, "TPL_ORDER", SimTemplate.Kind.TEMPLATE, List.of("keyword1", "keyword2"), Set.of()));
    stack.sim.registerTemplate(new SimTemplate(Stack.APP, "TPL_SUB", SimTemplate.Kind.SUBSCRIBE, List.of("thing1"), Set.of()));
    stack.sim.registerTemplate(new SimTemplate(Stack.APP, "TPL_OTHER", SimTemplate.Kind.SUBSCRIBE, List.of("thing1"), Set.of()));
  }

  @AfterEach
  void stop() {
    stack.close();
  }

  private static List<String> users(String prefix, int n) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n; i++) out.add(prefix + i);
    return out;
  }

  private static Map<String, Object> templatePush(Map<String, Object> audience) {
    return Map.of("appId", Stack.APP, "kind", "template", "templateId", "TPL_ORDER", "page", "pages/order/index",
        "data", Map.of("keyword1", "Order 42", "keyword2", "shipped"), "audience", audience);
  }

  private JsonNode awaitDone(String requestId, Duration limit) {
    return await().atMost(limit).pollInterval(Duration.ofMillis(250)).until(() -> stack.status(requestId), s -> "done".equals(s.path("state").asText()));
  }

  private static JsonNode readJson(String body) {
    try {
      return new ObjectMapper().readTree(body);
    } catch (IOException e) {
      throw new AssertionError("a send's body is not JSON: " + body, e);
    }
  }

  /** Each user received exactly {@code n} messages. */
  private void assertInboxes(List<String> openIds, int n) {
    for (String openId : openIds) {
      assertThat(stack.sim.inbox(Stack.APP, openId)).as("inbox of " + openId).hasSize(n);
    }
  }

  @Test
  void aBroadcastReachesEveryUserWithACredentialExactlyOnce() throws Exception {
    List<String> withCredentials = users("ok", 2_000);
    List<String> expiring = users("late", 500); // their form_ids expire within the claim margin
    long now = System.currentTimeMillis();
    stack.seedFormIds(withCredentials, 2, now - DAY);
    stack.seedFormIds(expiring, 1, now - 7 * DAY + 20_000);
    stack.worker("fanout,sender", Map.of());

    String rid = stack.push(templatePush(Map.of("all", true)));
    JsonNode status = awaitDone(rid, Duration.ofSeconds(120));

    assertThat(status.get("targets").asLong()).isEqualTo(2_500);
    assertThat(status.get("sent").asLong()).isEqualTo(2_000);
    assertThat(status.get("noCredential").asLong()).isEqualTo(500);
    assertThat(status.get("failed").asLong()).isZero();
    assertThat(status.get("pending").asLong()).isZero();
    assertInboxes(withCredentials, 1);
    assertInboxes(expiring, 0);
    assertThat(stack.sim.deliveredCount()).isEqualTo(2_000);
    SimMessage one = stack.sim.inbox(Stack.APP, "ok7").getFirst();
    assertThat(one.templateId()).isEqualTo("TPL_ORDER");
    assertThat(one.data()).containsEntry("keyword1", "Order 42");
  }

  @Test
  void theSameExactOutcomeUnderWeChatFaultsAndAForcedTokenInvalidation() throws Exception {
    List<String> openIds = users("f", 1_000);
    stack.seedFormIds(openIds, 2, System.currentTimeMillis() - DAY);
    stack.sim.faults().latency(Duration.ofMillis(50), Duration.ofMillis(100))
        .systemErrorRate(0.10).http500Rate(0.05);
    // 15 % of calls fail: with the default 5 attempts one user in ~13,000 fails all of them and
    // is dead-lettered, so ~7 % of runs would end with 999 sent (a run on 2026-11-24 did).
    stack.worker("fanout,sender", Map.of("SEND_MAX_ATTEMPTS", "12"));

    String rid = stack.push(templatePush(Map.of("all", true)));
    await().atMost(Duration.ofSeconds(60)).until(() -> stack.sim.deliveredCount() > 300);
    stack.sim.invalidateTokens(Stack.APP); // midway
    JsonNode status = awaitDone(rid, Duration.ofSeconds(180));

    assertThat(status.get("sent").asLong()).isEqualTo(1_000);
    assertThat(status.get("failed").asLong()).isZero();
    assertInboxes(openIds, 1);
    Map<Integer, Long> errcodes = stack.sim.errcodeCounts();
    assertThat(errcodes.getOrDefault(41029, 0L)).as("a form_id used twice").isZero();
    assertThat(errcodes.getOrDefault(-1, 0L)).as("faults were injected").isPositive();
    assertThat(errcodes.getOrDefault(40001, 0L)).as("the invalidated token was refused").isPositive();
  }

  @Test
  void anUnknownTemplateFailsThePushFastAndKeepsTheCredentials() throws Exception {
    List<String> openIds = users("u", 600);
    stack.seedFormIds(openIds, 1, System.currentTimeMillis() - DAY);
    stack.worker("fanout,sender", Map.of());
    Map<String, Object> body = new HashMap<>(templatePush(Map.of("all", true)));
    body.put("templateId", "TPL_NOPE");

    String rid = stack.push(body);
    JsonNode status = awaitDone(rid, Duration.ofSeconds(120));

    assertThat(status.get("failed").asLong()).isEqualTo(600);
    assertThat(status.get("byReason").get("40037").asLong()).isEqualTo(600);
    assertThat(stack.sim.errcodeCounts().getOrDefault(40037, 0L)).as("sends spent on a refused push").isLessThanOrEqualTo(5);
    try (var redis = stack.redis()) {
      var pool = stack.pool(redis);
      long left = openIds.stream().mapToLong(o -> pool.inspect(new UserRef(Stack.APP, o)).formIds()).sum();
      assertThat(left).as("form_ids still in the pools").isEqualTo(600);
    }
  }

  @Test
  void aSubscribePushSpendsOnlyGrantsOfItsTemplate() throws Exception {
    long now = System.currentTimeMillis();
    List<Credential> seed = new ArrayList<>();
    List<String> granted = users("g", 50);
    List<String> otherTemplate = users("h", 30);
    for (String o : granted) seed.add(Credential.of(Stack.APP, o, CredentialKind.SUBSCRIPTION, stack.sim.grantSubscription(Stack.APP, o, "TPL_SUB"), "TPL_SUB", now));
    for (String o : otherTemplate) seed.add(Credential.of(Stack.APP, o, CredentialKind.SUBSCRIPTION, stack.sim.grantSubscription(Stack.APP, o, "TPL_OTHER"), "TPL_OTHER", now));
    try (var redis = stack.redis()) {
      stack.pool(redis).addAll(seed);
    }
    stack.seedFormIds(otherTemplate, 1, now); // form_ids are not grants
    stack.worker("fanout,sender", Map.of());
    List<String> audience = new ArrayList<>(granted);
    audience.addAll(otherTemplate);

    String rid = stack.push(Map.of("appId", Stack.APP, "kind", "subscribe", "templateId", "TPL_SUB",
        "data", Map.of("thing1", "Your parcel"), "audience", Map.of("openIds", audience)));
    JsonNode status = awaitDone(rid, Duration.ofSeconds(60));

    assertThat(status.get("sent").asLong()).isEqualTo(50);
    assertThat(status.get("noCredential").asLong()).isEqualTo(30);
    assertInboxes(granted, 1);
    assertInboxes(otherTemplate, 0);
    // what WeChat was asked, not only what it delivered: one send per granted user, none to a user without a grant
    List<JsonNode> sends = stack.sim.requests().stream().filter(r -> r.path().equals("/cgi-bin/message/subscribe/send"))
        .map(r -> readJson(r.body())).toList();
    assertThat(sends).extracting(b -> b.path("touser").asText()).containsExactlyInAnyOrderElementsOf(granted);
    assertThat(sends).allSatisfy(b -> {
      assertThat(b.path("template_id").asText()).isEqualTo("TPL_SUB");
      assertThat(b.path("data").path("thing1").path("value").asText()).isEqualTo("Your parcel");
    });
    try (var redis = stack.redis()) {
      var pool = stack.pool(redis);
      var snapshot = pool.inspect(new UserRef(Stack.APP, "h0"));
      assertThat(snapshot.grants()).containsEntry("TPL_OTHER", 1);
      assertThat(snapshot.formIds()).isEqualTo(1);
      assertThat(pool.inspect(new UserRef(Stack.APP, "g0")).grants()).doesNotContainKey("TPL_SUB");
    }
  }

  @Test
  void aRepeatedRequestIdIsOnePushAndAPastNotAfterSendsNothing() throws Exception {
    List<String> openIds = users("r", 20);
    stack.seedFormIds(openIds, 3, System.currentTimeMillis() - DAY);
    stack.worker("fanout,sender", Map.of());
    Map<String, Object> body = new HashMap<>(templatePush(Map.of("openIds", openIds)));
    body.put("requestId", "order-42-shipped");

    assertThat(stack.push(body)).isEqualTo("order-42-shipped");
    assertThat(stack.push(body)).isEqualTo("order-42-shipped");
    JsonNode status = awaitDone("order-42-shipped", Duration.ofSeconds(60));
    assertThat(status.get("targets").asLong()).isEqualTo(20);
    assertThat(status.get("sent").asLong()).isEqualTo(20);
    assertInboxes(openIds, 1);

    Map<String, Object> late = new HashMap<>(templatePush(Map.of("openIds", openIds)));
    late.put("notAfter", System.currentTimeMillis() - 1_000);
    JsonNode lateStatus = awaitDone(stack.push(late), Duration.ofSeconds(60));
    assertThat(lateStatus.get("sent").asLong()).isZero();
    assertThat(lateStatus.get("failed").asLong()).isEqualTo(20);
    assertThat(lateStatus.get("byReason").get("not_after").asLong()).isEqualTo(20);
    assertInboxes(openIds, 1);
  }

  @Test
  void invalidPushRequestsNameEveryBadField() throws Exception {
    ApiClient.Reply reply = stack.client.push(Stack.API_KEY, Map.of(
        "appId", "wxnope", "kind", "sms", "data", List.of(1), "audience", Map.of("openIds", List.of())));
    assertThat(reply.status()).isEqualTo(400);
    assertThat(reply.errorCode()).isEqualTo("invalid_push");
    List<String> fields = new ArrayList<>();
    reply.body().path("error").path("fields").forEach(f -> fields.add(f.get("field").asText()));
    assertThat(fields).contains("appId", "kind", "templateId", "data", "audience.openIds");
    assertThat(stack.client.push("wrong-key", templatePush(Map.of("all", true))).status()).isEqualTo(401);
    assertThat(stack.client.pushStatus(Stack.API_KEY, "nope").status()).isEqualTo(404);
  }
}
