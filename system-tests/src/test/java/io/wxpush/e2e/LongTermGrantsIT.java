package io.wxpush.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.wxpush.credentials.CredentialPool;
import io.wxpush.credentials.PoolMember;
import io.wxpush.json.Json;
import io.wxpush.redis.RedisKeys;
import io.wxpush.sim.SimTemplate;
import io.wxpush.testkit.ApiClient;
import io.wxpush.testkit.RealServices;
import io.wxpush.testkit.TestEnv;
import io.wxpush.user.UserRef;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.resps.Tuple;

/**
 * Long-term subscriptions (issue 30, BRIEF §3 v3): a grant of a long-term template (gettemplate
 * {@code type} 3) is one standing permission per (user, template), used by every push and spent by
 * none; a reject (popup or settings event) or WeChat's 43101 ends it; caps still apply, the reserve
 * never blocks it; a send whose answer was lost is {@code unknown}, never sent again.
 */
@ExtendWith(RealServices.class)
class LongTermGrantsIT {
  private static final String LONG = "TPL_LONG";
  private static final String TOKEN = "pushtoken1";
  private Stack stack;

  @BeforeEach
  void start(TestEnv env) {
    stack = Stack.start(env, Map.of("WECHAT_APPS", Stack.APP + ":" + Stack.APP_SECRET + ":" + TOKEN),
        b -> b.template(new SimTemplate(Stack.APP, LONG, SimTemplate.Kind.SUBSCRIBE, List.of("thing1"), Set.of(), true)));
    pushEvents(true);
  }

  /** WeChat pushes the app's events to wxpush; {@code sentEvents}: also one per delivered message (which settles doubt). */
  private void pushEvents(boolean sentEvents) {
    stack.sim.configureMessagePush(Stack.APP, URI.create(stack.client.base() + "/v1/wechat/" + Stack.APP + "/events"), TOKEN,
        "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", "plaintext", "json", sentEvents);
  }

  @AfterEach
  void stop() {
    stack.close();
  }

  private static Map<String, Object> push(String openId, String priority) {
    Map<String, Object> body = new HashMap<>(Map.of("appId", Stack.APP, "kind", "subscribe", "templateId", LONG,
        "data", Map.of("thing1", "您的预约已确认"), "audience", Map.of("openIds", List.of(openId))));
    if (priority != null) body.put("priority", priority);
    return body;
  }

  private JsonNode pushAndWait(String openId, String priority) throws Exception {
    String rid = stack.push(push(openId, priority));
    return await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
        .until(() -> stack.status(rid), s -> s.path("final").asBoolean());
  }

  /** The user accepts the long-term template in the sim, and the mini-program uploads that accept {@code uploads} times. */
  private void accept(String openId, int uploads) throws Exception {
    String token = stack.login(openId);
    for (int i = 0; i < uploads; i++) {
      String grantId = stack.sim.grantSubscription(Stack.APP, openId, LONG);
      stack.client.uploadCredentials(token, List.of(ApiClient.grant(LONG, grantId, System.currentTimeMillis()))).expect(202);
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> holds(openId));
  }

  private boolean holds(String openId) throws Exception {
    JsonNode longTerm = stack.client.userCredentials(Stack.API_KEY, Stack.APP, openId).body().path("longTerm");
    for (JsonNode t : longTerm) if (t.asText().equals(LONG)) return true;
    return false;
  }

  /** Every member of the user's form_id/prepay_id pool, with its score. */
  private List<Tuple> pool(String openId) {
    try (UnifiedJedis redis = stack.redis()) {
      return redis.zrangeWithScores(stack.pool(redis).keys().templatePool(new UserRef(Stack.APP, openId)), 0, -1);
    }
  }

  private long subscribeSendsTo(String openId) {
    return stack.sim.requests().stream()
        .filter(r -> r.path().equals("/cgi-bin/message/subscribe/send") && r.body().contains("\"" + openId + "\""))
        .count();
  }

  private void putPolicy(Map<String, Object> policy) throws Exception {
    stack.client.send("PUT", "/v1/apps/" + Stack.APP + "/policy",
        Map.of("Authorization", "Bearer " + Stack.API_KEY, "Content-Type", "application/json"),
        Json.writeString(policy).getBytes(StandardCharsets.UTF_8)).expect(200);
  }

  @Test
  void theRegistryListsTheTemplateAsLongTerm() throws Exception {
    JsonNode list = stack.client.get("/v1/templates?appId=" + Stack.APP, Stack.API_KEY).expect(200).body();
    Map<String, String> types = new HashMap<>();
    list.get("templates").forEach(t -> types.put(t.get("templateId").asText(), t.path("type").asText()));
    assertThat(types).containsEntry(LONG, "long_term").containsEntry("TPL_SUB", "one_time");
  }

  @Test
  void oneAcceptServesFivePushesUntilTheCapThenASettingsRejectEndsIt() throws Exception {
    stack.worker("credentials,fanout,sender", Map.of());
    putPolicy(Map.of("maxPerUserPerDay", 5, "reserveLast", true));
    accept("o-l1", 2); // two uploads of accepts: one standing permission, not a pile
    List<Tuple> before = pool("o-l1");
    assertThat(before).extracting(Tuple::getElement).containsExactly(PoolMember.standing(LONG));

    for (int i = 0; i < 5; i++) {
      // low pushes under reserveLast: the reserve never blocks a long-term send (nothing is spent)
      JsonNode s = pushAndWait("o-l1", "low");
      assertThat(s.path("sent").asLong()).as("push %d", i + 1).isEqualTo(1);
    }
    assertThat(stack.sim.inbox(Stack.APP, "o-l1")).hasSize(5);
    assertThat(pool("o-l1").stream().filter(t -> t.getScore() >= 0).toList()).as("the permission is still there, unspent")
        .extracting(Tuple::getElement).containsExactly(PoolMember.standing(LONG));

    JsonNode capped = pushAndWait("o-l1", null);
    assertThat(capped.path("noCredential").asLong()).isEqualTo(1);
    assertThat(capped.path("byReason").path("capped").asLong()).isEqualTo(1);
    assertThat(holds("o-l1")).as("a cap skips a send, it does not end the permission").isTrue();

    putPolicy(Map.of("reserveLast", false));
    stack.sim.rejectInSettings(Stack.APP, "o-l1", List.of(LONG), 1);
    await().atMost(Duration.ofSeconds(30)).until(() -> !holds("o-l1"));
    long sendsBefore = subscribeSendsTo("o-l1");

    JsonNode after = pushAndWait("o-l1", null);
    assertThat(after.path("noCredential").asLong()).isEqualTo(1);
    assertThat(subscribeSendsTo("o-l1")).as("no WeChat call once the user turned it off").isEqualTo(sendsBefore);
    assertThat(stack.sim.inbox(Stack.APP, "o-l1")).hasSize(5);
  }

  @Test
  void aSweepKeepsAHolderWithNothingElseIndexedSoAnAllAudiencePushReachesOnlyHolders() throws Exception {
    stack.worker("credentials", Map.of());
    accept("o-l4", 1); // holds the permission, nothing else
    stack.seedFormIds(List.of("o-l5"), 1, System.currentTimeMillis()); // a form_id, no permission
    try (UnifiedJedis redis = stack.redis()) {
      RedisKeys keys = stack.pool(redis).keys();
      CredentialPool pool = new CredentialPool(redis, keys, Clock.systemUTC(), 200, CredentialPool.DEFAULT_GRANT_TEMPLATES, n -> { },
          app -> 0, (app, template) -> template.equals(LONG));
      CredentialPool.ShardSweep sweep = pool.sweepShard(Stack.APP, null, RedisKeys.shardOf("o-l4"));
      assertThat(sweep.leftIndex()).as("a permission holder stays in the index").isZero();
      assertThat(redis.zscore(keys.templateIndex(Stack.APP, RedisKeys.shardOf("o-l4")), "o-l4"))
          .as("scored past any recall window").isEqualTo((double) CredentialPool.STANDING_SCORE);
    }
    stack.worker("fanout,sender", Map.of());
    Map<String, Object> all = new HashMap<>(push("o-l4", null));
    all.put("audience", Map.of("all", true));
    String rid = stack.push(all);
    JsonNode s = await().atMost(Duration.ofSeconds(60)).until(() -> stack.status(rid), st -> st.path("final").asBoolean());
    assertThat(s.path("targets").asLong()).as("holders only").isEqualTo(1);
    assertThat(s.path("sent").asLong()).isEqualTo(1);
    assertThat(stack.sim.inbox(Stack.APP, "o-l4")).hasSize(1);
  }

  @Test
  void a43101FromWeChatEndsThePermissionAndTheNextPushMakesNoCall() throws Exception {
    stack.worker("credentials,fanout,sender", Map.of());
    accept("o-l2", 1);
    assertThat(pushAndWait("o-l2", null).path("sent").asLong()).isEqualTo(1);

    stack.sim.revokeSubscription(Stack.APP, "o-l2", LONG); // turned off, and the app was not told
    JsonNode refused = pushAndWait("o-l2", null);
    assertThat(refused.path("failed").asLong()).isEqualTo(1);
    assertThat(refused.path("byReason").path("43101").asLong()).isEqualTo(1);
    assertThat(holds("o-l2")).isFalse();
    long sendsBefore = subscribeSendsTo("o-l2");

    JsonNode next = pushAndWait("o-l2", null);
    assertThat(next.path("noCredential").asLong()).isEqualTo(1);
    assertThat(subscribeSendsTo("o-l2")).isEqualTo(sendsBefore);
  }

  @Test
  void aLongTermSendWhoseAnswerWasLostIsUnknownAndNeverSentAgain() throws Exception {
    stack.worker("credentials,fanout,sender", Map.of());
    accept("o-l3", 1);
    pushEvents(false); // no sent event settles the doubt here: the ledger's own rule is under test
    stack.sim.faults().gatewayErrorAfterDeliveryRate(1.0);

    JsonNode s = pushAndWait("o-l3", null);
    assertThat(s.path("unknown").asLong()).isEqualTo(1);
    assertThat(s.path("sent").asLong()).isZero();
    Stack.staysTrue(Duration.ofSeconds(3), () -> stack.sim.inbox(Stack.APP, "o-l3").size() == 1);
    assertThat(subscribeSendsTo("o-l3")).as("nothing spent, but a second message is a second message").isEqualTo(1);
    assertThat(holds("o-l3")).as("the permission stands").isTrue();

    stack.sim.faults().gatewayErrorAfterDeliveryRate(0);
    assertThat(pushAndWait("o-l3", null).path("sent").asLong()).isEqualTo(1);
    assertThat(stack.sim.inbox(Stack.APP, "o-l3")).hasSize(2);
  }
}
