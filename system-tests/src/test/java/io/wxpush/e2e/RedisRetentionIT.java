package io.wxpush.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.wxpush.user.UserRef;
import io.wxpush.push.Outcome;
import io.wxpush.push.PushId;
import io.wxpush.push.PushRun;
import io.wxpush.push.PushStatusStore;
import io.wxpush.redis.RedisKeys;
import io.wxpush.sim.SimTemplate;
import io.wxpush.testkit.RealServices;
import io.wxpush.testkit.TestEnv;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * After uploads, a template broadcast and a subscribe push (with a rate limit and a 45011 pause
 * on the way), every key under the deployment's prefix belongs to a family of {@link RedisKeys}
 * and every family that is not swept carries a TTL.
 */
@ExtendWith(RealServices.class)
class RedisRetentionIT {
  @Test
  void everyKeyBelongsToAFamilyAndEveryUnsweptFamilyExpires(TestEnv env) throws Exception {
    try (Stack stack = Stack.start(env, Map.of("SEND_RATE_PER_APP", "500"))) {
      stack.sim.registerTemplate(new SimTemplate(Stack.APP, "TPL_ORDER", SimTemplate.Kind.TEMPLATE, List.of("keyword1"), Set.of()));
      stack.sim.registerTemplate(new SimTemplate(Stack.APP, "TPL_SUB", SimTemplate.Kind.SUBSCRIBE, List.of("thing1"), Set.of()));
      List<String> openIds = new ArrayList<>();
      for (int i = 0; i < 40; i++) openIds.add("rt" + i);
      stack.seedFormIds(openIds.subList(0, 20), 2, System.currentTimeMillis());
      stack.seedGrants(openIds.subList(20, 40), "TPL_SUB");
      stack.upload(openIds.subList(0, 5), 1);
      stack.seedFormIds(List.of("rt-late"), 2, System.currentTimeMillis()); // the broadcast spends one
      stack.worker("credentials,fanout,sender", Map.of());
      stack.sim.faults().rateLimitNext(3);
      String template = stack.push(Map.of("appId", Stack.APP, "kind", "template", "templateId", "TPL_ORDER",
          "data", Map.of("keyword1", "hi"), "audience", Map.of("all", true)));
      String subscribe = stack.push(Map.of("appId", Stack.APP, "kind", "subscribe", "templateId", "TPL_SUB",
          "data", Map.of("thing1", "hi"), "audience", Map.of("openIds", openIds)));
      String late = stack.push(Map.of("appId", Stack.APP, "kind", "template", "templateId", "TPL_ORDER",
          "data", Map.of("keyword1", "hi"), "audience", Map.of("openIds", List.of("rt-late"))));
      for (String rid : List.of(template, subscribe, late)) {
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(300))
            .until(() -> stack.status(rid), s -> "done".equals(s.path("state").asText()));
      }

      // after the end: a late subscribe_msg_sent_event failure of a sent message (its reason is the
      // push's first: the reasons hash is created by it), and the late writes of senders on a push
      // whose status has expired meanwhile — none may leave a key without a TTL
      String gone = "gone-" + UUID.randomUUID();
      try (var redis = stack.redis()) {
        var status = new PushStatusStore(redis, new RedisKeys(env.redisKeyPrefix()), Clock.systemUTC());
        assertThat(stack.status(late).path("byReason").size()).as("no reason yet: " + stack.status(late)).isZero();
        assertThat(status.countLate(new PushId(Stack.APP, late), "async_43101")).isTrue();
        assertThat(stack.status(late).path("byReason").path("async_43101").asLong()).isEqualTo(1);
        assertThat(status.countLate(new PushId(Stack.APP, gone), "async_43101")).as("a push that is gone").isFalse();
        status.failFast(new PushId(Stack.APP, gone), "40037");
        status.recordOutcome(new PushId(Stack.APP, gone), new PushRun("x1", System.currentTimeMillis() + 60_000, 1), "rt0",
            Outcome.FAILED, "-1", Duration.ofMinutes(1));
        assertThat(redis.exists(new RedisKeys(env.redisKeyPrefix()).pushStatus(Stack.APP, gone))).as("no status recreated").isFalse();
      }

      EnumSet<RedisKeys.Family> seen = EnumSet.noneOf(RedisKeys.Family.class);
      List<String> problems = new ArrayList<>();
      try (var redis = stack.redis()) {
        String cursor = ScanParams.SCAN_POINTER_START;
        do {
          ScanResult<String> page = redis.scan(cursor, new ScanParams().match(env.redisKeyPrefix() + "*").count(500));
          for (String key : page.getResult()) {
            var family = RedisKeys.Family.of(key.substring(env.redisKeyPrefix().length()));
            if (family.isEmpty()) {
              problems.add(key + " belongs to no family");
              continue;
            }
            seen.add(family.get());
            if (family.get().expires() && redis.pttl(key) < 0) problems.add(key + " (" + family.get() + ") has no TTL");
          }
          cursor = page.getCursor();
        } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
      }
      assertThat(problems).isEmpty();
      assertThat(seen).as("the run touched these families").contains(RedisKeys.Family.POOL, RedisKeys.Family.GRANTS,
          RedisKeys.Family.GRANT_TEMPLATES, RedisKeys.Family.UPLOADS, RedisKeys.Family.TEMPLATE_INDEX, RedisKeys.Family.GRANT_INDEX,
          RedisKeys.Family.PUSH_SEQ, RedisKeys.Family.PUSH_STATUS, RedisKeys.Family.PUSH_REASONS, RedisKeys.Family.PUSH_OUTCOMES, RedisKeys.Family.PUSH_REQUEST,
          RedisKeys.Family.TOKEN);
    }
  }

  /**
   * BRIEF rule 9: once a push is done and its grace time has passed, its per-user state (final
   * ledger entries in the pools, outcome buckets) is gone and only its counters are left; a user
   * whose credentials all expired leaves the index and Redis on the sweep.
   */
  @Test
  void aDonePushKeepsOnlyItsCountersAfterItsGraceTimeAndADepartedUsersKeysGo(TestEnv env) throws Exception {
    try (Stack stack = Stack.start(env, Map.of())) {
      stack.sim.registerTemplate(new SimTemplate(Stack.APP, "TPL_ORDER", SimTemplate.Kind.TEMPLATE, List.of("keyword1"), Set.of()));
      List<String> staying = new ArrayList<>();
      for (int i = 0; i < 12; i++) staying.add("gs" + i);
      List<String> leaving = List.of("gl0", "gl1", "gl2");
      stack.seedFormIds(staying, 2, System.currentTimeMillis());
      // collected just under 7 days ago: they expire a few seconds from now, unused
      stack.seedFormIds(leaving, 1, System.currentTimeMillis() - Duration.ofDays(7).toMillis() + 6_000);
      stack.worker("credentials,fanout,sender", Map.of("LEDGER_GRACE", "15s", "SWEEP_INTERVAL", "1s"));
      String rid = stack.push(Map.of("appId", Stack.APP, "kind", "template", "templateId", "TPL_ORDER",
          "data", Map.of("keyword1", "hi"), "audience", Map.of("openIds", staying)));
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
          .until(() -> stack.status(rid), s -> "done".equals(s.path("state").asText()));
      assertThat(stack.status(rid).path("sent").asLong()).as("sent: " + stack.status(rid)).isEqualTo(staying.size());
      assertThat(stack.userOutcomes(rid, staying)).as("per-user outcomes while the grace time runs").hasSize(staying.size());

      try (var redis = stack.redis()) {
        RedisKeys keys = new RedisKeys(env.redisKeyPrefix());
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
          List<String> perUser = new ArrayList<>();
          for (String key : keysOf(redis, env.redisKeyPrefix())) {
            var family = RedisKeys.Family.of(key.substring(env.redisKeyPrefix().length())).orElseThrow();
            if (family == RedisKeys.Family.PUSH_OUTCOMES || family == RedisKeys.Family.LEDGER) perUser.add(key);
            if (family == RedisKeys.Family.POOL) {
              for (String member : redis.zrangeByScore(key, "-inf", "(0")) if (member.startsWith("l")) perUser.add(key + " " + member);
            }
          }
          assertThat(perUser).as("per-user state of the done push after its grace time").isEmpty();
          for (String openId : leaving) {
            assertThat(redis.exists(keys.templatePool(new io.wxpush.user.UserRef(Stack.APP, openId)))).as(openId + "'s pool").isFalse();
            assertThat(redis.zscore(keys.templateIndex(Stack.APP, RedisKeys.shardOf(openId)), openId)).as(openId + " in the index").isNull();
          }
        });
        for (String openId : staying) {
          assertThat(stack.sendsLeft(openId)).as(openId + " keeps its other form_id").isEqualTo(1);
        }
      }
      var status = stack.status(rid);
      assertThat(status.path("sent").asLong()).as("the counters stay").isEqualTo(staying.size());
      assertThat(status.path("state").asText()).isEqualTo("done");
      assertThat(stack.userOutcomes(rid, staying)).isEmpty();
    }
  }

  private static List<String> keysOf(UnifiedJedis redis, String prefix) {
    List<String> all = new ArrayList<>();
    String cursor = ScanParams.SCAN_POINTER_START;
    do {
      ScanResult<String> page = redis.scan(cursor, new ScanParams().match(prefix + "*").count(500));
      all.addAll(page.getResult());
      cursor = page.getCursor();
    } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
    return all;
  }
}
