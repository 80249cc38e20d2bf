package io.wxpush.ingest.push;

import static org.assertj.core.api.Assertions.assertThat;

import io.wxpush.client.PushRequest;
import io.wxpush.credentials.Credential;
import io.wxpush.credentials.CredentialKind;
import io.wxpush.credentials.CredentialPool;
import io.wxpush.json.Json;
import io.wxpush.policy.Policy;
import io.wxpush.policy.PolicyStore;
import io.wxpush.push.PushRequestParser;
import io.wxpush.redis.RedisConnections;
import io.wxpush.redis.RedisEndpoint;
import io.wxpush.redis.RedisKeys;
import io.wxpush.testkit.RealServices;
import io.wxpush.testkit.TestEnv;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.function.BiPredicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.UnifiedJedis;

/**
 * A dry run of an everyone-push to an app larger than {@link DryRun#SAMPLE_USERS}: judged on a
 * sample of the index's shards and scaled, within a bounded time, close to the truth the seeding knows.
 */
@ExtendWith(RealServices.class)
class DryRunSampleIT {
  private static final String APP = "wxdry";
  private static final int USERS = 40_000;
  private static final String LONG_TERM = "TPL_LT";

  @Test
  void aLargeAppIsEstimatedFromASampleWithinAFewPerCentAndQuickly(TestEnv env) throws Exception {
    RedisKeys keys = new RedisKeys(env.redisKeyPrefix());
    BiPredicate<String, String> longTerm = (app, template) -> LONG_TERM.equals(template);
    try (UnifiedJedis redis = RedisConnections.open(RedisEndpoint.parse(env.redisUrl()), 8)) {
      CredentialPool pool = new CredentialPool(redis, keys, Clock.systemUTC(), 200, 50, n -> { }, app -> 0, longTerm);
      // random openIds (as WeChat's are), each user in one of three groups at random
      Random random = new Random(31);
      long collected = System.currentTimeMillis();
      int two = 0;
      int one = 0;
      int prepay = 0;
      int standing = 0;
      List<Credential> batch = new ArrayList<>();
      int expiring = 0;
      for (int i = 0; i < USERS; i++) {
        String openId = "o" + Long.toString(random.nextLong() & Long.MAX_VALUE, 36) + i;
        boolean old = random.nextDouble() < 0.3; // collected 6.5 days ago: runs out within a day
        if (old) expiring++;
        long at = old ? collected - java.time.Duration.ofHours(156).toMillis() : collected;
        double group = random.nextDouble();
        if (group < 0.6) { // two form_ids: reached with a form_id
          two++;
          batch.add(Credential.of(APP, openId, CredentialKind.FORM_ID, "f" + i + "a", null, at));
          batch.add(Credential.of(APP, openId, CredentialKind.FORM_ID, "f" + i + "b", null, at));
        } else if (group < 0.85) { // one form_id: a low push keeps it
          one++;
          batch.add(Credential.of(APP, openId, CredentialKind.FORM_ID, "f" + i, null, at));
        } else { // one prepay_id: three sends
          prepay++;
          batch.add(Credential.of(APP, openId, CredentialKind.PREPAY_ID, "p" + i, null, at));
        }
        if (random.nextDouble() < 0.05) { // and a long-term template's permission
          standing++;
          batch.add(Credential.of(APP, openId, CredentialKind.SUBSCRIPTION, "g" + i, LONG_TERM, at));
        }
        if (batch.size() >= 5_000) {
          pool.addAll(batch);
          batch.clear();
        }
      }
      pool.addAll(batch);
      PolicyStore policies = new PolicyStore(redis, keys, Clock.systemUTC(), Policy.NONE);
      policies.put(APP, new Policy(null, null, true));
      DryRun dryRun = new DryRun(redis, keys, policies, longTerm, Clock.systemUTC(), app -> Optional.empty());
      PushRequestParser parser = new PushRequestParser(Set.of(APP));

      dryRun.estimate(push(parser, "template", "TPL_ORDER", Map.of("all", true))); // warm: scripts loaded, connections open
      long started = System.nanoTime();
      DryRun.Estimate everyone = dryRun.estimate(push(parser, "template", "TPL_ORDER", Map.of("all", true)));
      long tookMs = (System.nanoTime() - started) / 1_000_000;
      System.out.printf("dry run of everyone at %d users: %d ms, %s (truth: form_id %d, prepay_id %d, reserved %d)%n", USERS, tookMs, everyone,
          two, prepay, one);
      assertThat(everyone.exact()).isFalse();
      assertThat(everyone.sampledUsers()).isBetween((long) DryRun.SAMPLE_USERS, (long) DryRun.SAMPLE_USERS + 200);
      assertThat(everyone.targets()).as("every indexed user, counted exactly").isEqualTo(USERS);
      long margin = USERS * 3 / 100; // about twice the 95% margin of a 4,000-user sample
      assertThat(everyone.byKind().get("form_id")).isCloseTo((long) two, org.assertj.core.data.Offset.offset(margin));
      assertThat(everyone.byKind().get("prepay_id")).isCloseTo((long) prepay, org.assertj.core.data.Offset.offset(margin));
      assertThat(everyone.reachable()).isCloseTo((long) two + prepay, org.assertj.core.data.Offset.offset(margin));
      assertThat(everyone.reserved()).isCloseTo((long) one, org.assertj.core.data.Offset.offset(margin));
      assertThat(everyone.capped()).isZero();
      assertThat(tookMs).as("bounded: one count per shard and one script call per sampled user").isLessThan(5_000);

      DryRun.Estimate recall = dryRun.estimate(push(parser, "template", "TPL_ORDER", Map.of("expiringWithin", "1d")));
      System.out.printf("dry run of the recall: %s (truth %d)%n", recall, expiring);
      assertThat(recall.exact()).isFalse();
      assertThat(recall.targets()).as("the users whose credentials run out within a day")
          .isCloseTo((long) expiring, org.assertj.core.data.Offset.offset(margin));

      DryRun.Estimate holders = dryRun.estimate(push(parser, "subscribe", LONG_TERM, Map.of("all", true)));
      System.out.printf("dry run of a long-term template's holders: %s (truth %d)%n", holders, standing);
      assertThat(holders.targets()).as("the permission's holders").isCloseTo((long) standing, org.assertj.core.data.Offset.offset(margin));
      assertThat(holders.reachable()).as("the reserve never keeps a permission").isEqualTo(holders.targets());
      assertThat(holders.reserved()).isZero();
    }
  }

  private static PushRequest push(PushRequestParser parser, String kind, String templateId, Map<String, Object> audience) throws Exception {
    String body = Json.writeString(Map.of("appId", APP, "kind", kind, "templateId", templateId, "data", Map.of("thing1", "hi"),
        "audience", audience, "priority", "low"));
    return switch (parser.parse(Json.MAPPER.readTree(body))) {
      case PushRequestParser.Valid v -> v.request();
      case PushRequestParser.Invalid i -> throw new AssertionError(i.errors());
    };
  }
}
