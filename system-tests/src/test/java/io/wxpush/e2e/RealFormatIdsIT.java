package io.wxpush.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.wxpush.redis.RedisConnections;
import io.wxpush.redis.RedisEndpoint;
import io.wxpush.redis.RedisKeys;
import io.wxpush.sim.SimMessage;
import io.wxpush.sim.SimTemplate;
import io.wxpush.testkit.ApiClient;
import io.wxpush.testkit.RealServices;
import io.wxpush.testkit.TestEnv;
import io.wxpush.user.UserRef;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.UnifiedJedis;

/** Credentials in WeChat's real shape (32-hex form_ids, wx + 34 prepay_ids), uploaded, stored compactly, sent exactly as uploaded. */
@ExtendWith(RealServices.class)
class RealFormatIdsIT {
  private static final long DAY = Duration.ofDays(1).toMillis();
  private Stack stack;

  @BeforeEach
  void start(TestEnv env) {
    stack = Stack.start(env, Map.of(), b -> b.realIds(true));
    stack.sim.registerTemplate(new SimTemplate(Stack.APP, "TPL_ORDER", SimTemplate.Kind.TEMPLATE, List.of("keyword1"), Set.of()));
  }

  @AfterEach
  void stop() {
    stack.close();
  }

  @Test
  void realFormatIdsUploadedThroughTheApiAreStoredCompactlyAndReachWeChatExactlyAsUploaded() throws Exception {
    stack.worker("credentials,fanout,sender", Map.of());
    long now = System.currentTimeMillis();
    List<String> users = List.of("o-real-0", "o-real-1", "o-real-2");
    Map<String, List<String>> uploaded = new java.util.HashMap<>();
    for (String openId : users) {
      List<String> formIds = stack.sim.mintFormIds(Stack.APP, openId, 2);
      String prepay = stack.sim.mintPrepayId(Stack.APP, openId);
      assertThat(formIds).allMatch(f -> f.matches("[0-9a-f]{32}"));
      assertThat(prepay).matches("wx[0-9a-f]{34}");
      // the soonest-expiring is spent first: form_ids collected before the prepay_id
      ApiClient.Reply reply = stack.client.uploadCredentials(stack.login(openId), List.of(
          ApiClient.credential("form_id", formIds.get(0), now - 3 * DAY), ApiClient.credential("form_id", formIds.get(1), now - 2 * DAY),
          ApiClient.credential("prepay_id", prepay, now - DAY)));
      assertThat(reply.status()).isEqualTo(202);
      uploaded.put(openId, List.of(formIds.get(0), formIds.get(1), prepay, prepay, prepay));
    }
    for (String openId : users) {
      await().atMost(Duration.ofSeconds(20)).until(() -> stack.client.userCredentials(Stack.API_KEY, Stack.APP, openId).body(),
          b -> b.path("sendsLeft").asInt() == 5 && b.path("formIds").asInt() == 2 && b.path("prepayIds").asInt() == 1);
    }
    try (UnifiedJedis redis = RedisConnections.open(RedisEndpoint.parse(stack.redisUrl), 2)) {
      List<String> members = redis.zrange(new RedisKeys(stack.env.redisKeyPrefix()).templatePool(new UserRef(Stack.APP, "o-real-0")), 0, -1);
      assertThat(members).as("stored compactly: 21 characters a form_id, 25 a prepay_id's send").hasSize(5)
          .allMatch(m -> m.length() == 21 && m.startsWith("f") || m.length() == 25 && m.startsWith("p"))
          .noneMatch(m -> uploaded.get("o-real-0").stream().anyMatch(id -> m.contains(id.substring(2))));
    }

    for (int round = 0; round < 5; round++) {
      String rid = stack.push(Map.of("appId", Stack.APP, "kind", "template", "templateId", "TPL_ORDER",
          "data", Map.of("keyword1", "round " + round), "audience", Map.of("openIds", users)));
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
          .until(() -> stack.status(rid), s -> "done".equals(s.path("state").asText()) && s.path("sent").asInt() == users.size());
    }
    for (String openId : users) {
      List<String> sentWith = new ArrayList<>(stack.sim.inbox(Stack.APP, openId).stream().map(SimMessage::credential).toList());
      assertThat(sentWith).as("the credentials WeChat got for " + openId).containsExactlyElementsOf(uploaded.get(openId));
    }
    assertThat(stack.sim.errcodeCounts()).containsOnlyKeys(0);
  }
}
