package io.wxpush.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.wxpush.redis.RedisKeys;
import io.wxpush.sim.SimTemplate;
import io.wxpush.testkit.ApiClient;
import io.wxpush.testkit.RealServices;
import io.wxpush.testkit.TestEnv;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 30, quota: WeChat's daily quota and rate limit as {@code quota/get} reports them, read by
 * ingest-api, shown on {@code GET /v1/apps/{appId}}, warned of in a push's 202, and kept to by the
 * senders.
 */
@ExtendWith(RealServices.class)
class QuotaIT {
  private static final ZoneId BEIJING = ZoneId.of("Asia/Shanghai");

  private static JsonNode app(Stack stack) throws Exception {
    return stack.client.get("/v1/apps/" + Stack.APP, Stack.API_KEY).expect(200).body();
  }

  private static Instant nextBeijingMidnight(Instant now) {
    return now.atZone(BEIJING).toLocalDate().plusDays(1).atStartOfDay(BEIJING).toInstant();
  }

  @Test
  void aBroadcastPastTheDailyQuotaIsWarnedSendsWhatIsLeftAndPausesTheAppUntilWeChatsDayResets(TestEnv env) throws Exception {
    try (Stack stack = Stack.start(env, Map.of(), sim -> sim.dailyQuota(Stack.APP, 500))) {
      List<String> openIds = Stack.users("quota", 800);
      stack.seedGrants(openIds, "TPL_SUB");
      JsonNode read = await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
          .until(() -> app(stack).path("quota"), JsonNode::isObject);
      assertThat(read.path("dailyLimit").asLong()).isEqualTo(500);
      assertThat(read.path("used").asLong()).isZero();
      assertThat(read.path("remain").asLong()).isEqualTo(500);
      assertThat(read.has("rateLimit")).as("the sim reports no rate limit").isFalse();
      stack.worker("fanout,sender", Map.of());

      ApiClient.Reply accepted = stack.client.push(Stack.API_KEY, Map.of("appId", Stack.APP, "kind", "subscribe", "templateId", "TPL_SUB",
          "data", Map.of("thing1", "sale"), "audience", Map.of("all", true)));
      assertThat(accepted.status()).isEqualTo(202);
      assertThat(accepted.body().path("warnings").toString()).isEqualTo("[\"audience_exceeds_quota\"]");
      String rid = accepted.body().path("requestId").asText();

      JsonNode done = stack.awaitState(rid, "done");
      assertThat(done.path("sent").asLong()).isEqualTo(500);
      assertThat(done.path("failed").asLong()).isEqualTo(300);
      assertThat(stack.sim.deliveredCount()).isEqualTo(500);
      // the 45009 paused the app until WeChat's day resets, and the quota was read again soon after it
      JsonNode spent = await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
          .until(() -> app(stack), a -> a.path("quota").path("remain").asLong(-1) == 0);
      assertThat(spent.path("quota").path("used").asLong()).isEqualTo(500);
      assertThat(spent.path("pause").path("kind").asText()).isEqualTo("daily_quota");
      long midnight = nextBeijingMidnight(Instant.now()).toEpochMilli();
      assertThat(spent.path("pause").path("until").asLong()).as("until Beijing midnight").isBetween(midnight - 5_000, midnight + 5_000);

      // Beijing midnight: the sim's day resets (its clock moves past it) and the app's pause ends with it
      Instant now = Instant.now();
      stack.sim.clockOffset(Duration.between(now, nextBeijingMidnight(now)).plusMinutes(1));
      try (var redis = stack.redis()) {
        redis.del(new RedisKeys(env.redisKeyPrefix()).pause(Stack.APP));
      }
      assertThat(stack.client.retryPush(Stack.API_KEY, Stack.APP, rid).expect(202).body().path("retried").asLong()).isEqualTo(300);
      await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
          .until(() -> stack.status(rid), s -> s.path("sent").asLong() == 800);
      assertThat(stack.sim.deliveredCount()).isEqualTo(800);
    }
  }

  @Test
  void withoutSendRatePerAppTheSendersKeepToTheRateWeChatReports(TestEnv env) throws Exception {
    try (Stack stack = Stack.start(env, Map.of(), sim -> sim.rateLimit(Stack.APP, 200)
        .template(new SimTemplate(Stack.APP, "TPL_ORDER", SimTemplate.Kind.TEMPLATE, List.of("keyword1"), Set.of())))) {
      List<String> openIds = Stack.users("rate", 2000);
      stack.seedFormIds(openIds, 1, System.currentTimeMillis());
      JsonNode rate = await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
          .until(() -> app(stack).path("quota").path("rateLimit"), JsonNode::isObject);
      assertThat(rate.path("callCount").asLong()).isEqualTo(200);
      assertThat(rate.path("refreshSecond").asLong()).isEqualTo(1);
      stack.worker("fanout,sender", Map.of()); // no SEND_RATE_PER_APP

      String rid = stack.push(Map.of("appId", Stack.APP, "kind", "template", "templateId", "TPL_ORDER",
          "data", Map.of("keyword1", "sale"), "audience", Map.of("all", true)));

      JsonNode done = await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200))
          .until(() -> stack.status(rid), s -> "done".equals(s.path("state").asText()));
      assertThat(done.path("sent").asLong()).isEqualTo(2000);
      assertThat(stack.sim.errcodeCounts().getOrDefault(45011, 0L)).as("45011 answers").isZero();
    }
  }
}
