package io.wxpush.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.wxpush.redis.RedisKeys;
import io.wxpush.sim.SimTemplate;
import io.wxpush.testkit.RealServices;
import io.wxpush.testkit.TestEnv;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
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
      stack.worker("credentials,fanout,sender", Map.of());
      stack.sim.faults().rateLimitNext(3);
      String template = stack.push(Map.of("appId", Stack.APP, "kind", "template", "templateId", "TPL_ORDER",
          "data", Map.of("keyword1", "hi"), "audience", Map.of("all", true)));
      String subscribe = stack.push(Map.of("appId", Stack.APP, "kind", "subscribe", "templateId", "TPL_SUB",
          "data", Map.of("thing1", "hi"), "audience", Map.of("openIds", openIds)));
      for (String rid : List.of(template, subscribe)) {
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(300))
            .until(() -> stack.status(rid), s -> "done".equals(s.path("state").asText()));
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
      assertThat(seen).as("the run touched these families").contains(RedisKeys.Family.POOL, RedisKeys.Family.SPENT,
          RedisKeys.Family.LEDGER, RedisKeys.Family.UPLOADS, RedisKeys.Family.TEMPLATE_INDEX, RedisKeys.Family.PUSH_STATUS,
          RedisKeys.Family.PUSH_OUTCOMES, RedisKeys.Family.PUSH_REQUEST, RedisKeys.Family.TOKEN);
    }
  }
}
