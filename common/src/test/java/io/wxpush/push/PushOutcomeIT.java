package io.wxpush.push;

import static org.assertj.core.api.Assertions.assertThat;

import io.wxpush.redis.RedisEndpoint;
import io.wxpush.redis.RedisConnections;
import io.wxpush.redis.RedisKeys;
import io.wxpush.testkit.RealServices;
import io.wxpush.testkit.TestEnv;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.UnifiedJedis;

/** A user's outcome of a push on a real Redis: counted once, and knowledge only grows (unknown → sent, never back). */
@ExtendWith(RealServices.class)
class PushOutcomeIT {
  private static final Duration GRACE = Duration.ofHours(24);
  private UnifiedJedis redis;
  private RedisKeys keys;
  private PushStatusStore store;

  @BeforeEach
  void open(TestEnv env) {
    redis = RedisConnections.open(RedisEndpoint.parse(env.redisUrl()), 4);
    keys = new RedisKeys(env.redisKeyPrefix());
    store = new PushStatusStore(redis, keys, Clock.systemUTC());
  }

  @AfterEach
  void close() {
    redis.close();
  }

  /** A push whose fan-out is done with {@code targets} targets, sending. */
  private PushId sending(int targets) {
    PushId rid = new PushId("wxapp1", "oc-" + UUID.randomUUID());
    redis.hset(keys.pushStatus(rid.appId(), rid.requestId()), Map.of("state", "sending", "appId", "wxapp1", "targets", Integer.toString(targets), "fanoutDone", "1", "buckets", "4"));
    redis.pexpire(keys.pushStatus(rid.appId(), rid.requestId()), 60_000);
    return rid;
  }

  private PushRun run() {
    return new PushRun("r1", System.currentTimeMillis() + 60_000, 4);
  }

  @Test
  void aLateSentForAUserRecordedUnknownUpgradesItOnceAndNeverTheOtherWay() {
    PushId rid = sending(2);
    PushRun run = run();
    assertThat(store.recordOutcome(rid, run, "u1", Outcome.UNKNOWN, "in_doubt", GRACE)).isTrue();
    assertThat(store.recordOutcome(rid, run, "u2", Outcome.SENT, null, GRACE)).isTrue();
    PushStatus before = store.read(rid).orElseThrow();
    assertThat(before.state()).isEqualTo("done");
    assertThat(before.unknown()).isEqualTo(1);
    assertThat(before.byReason()).containsEntry("in_doubt", 1L);

    assertThat(store.recordOutcome(rid, run, "u1", Outcome.SENT, null, GRACE)).as("u -> s").isTrue();
    assertThat(store.recordOutcome(rid, run, "u1", Outcome.SENT, null, GRACE)).as("sent twice counts once").isFalse();
    assertThat(store.recordOutcome(rid, run, "u1", Outcome.UNKNOWN, "in_doubt", GRACE)).as("never s -> u").isFalse();
    assertThat(store.recordOutcome(rid, run, "u2", Outcome.FAILED, "-1", GRACE)).as("never s -> f").isFalse();
    PushStatus after = store.read(rid).orElseThrow();
    assertThat(after.sent()).isEqualTo(2);
    assertThat(after.unknown()).isZero();
    assertThat(after.failed()).isZero();
    assertThat(after.pending()).isZero();
    assertThat(after.byReason()).as("the unknown's reason is taken back").doesNotContainKey("in_doubt");
    assertThat(after.state()).isEqualTo("done");
    assertThat(userOutcomes(rid, List.of("u1", "u2"))).containsEntry("u1", "s").containsEntry("u2", "s");

    // an unknown user stays unknown for every outcome but sent
    PushId other = sending(1);
    assertThat(store.recordOutcome(other, run, "u3", Outcome.UNKNOWN, null, GRACE)).isTrue();
    for (Outcome o : List.of(Outcome.FAILED, Outcome.NO_CREDENTIAL, Outcome.CANCELLED, Outcome.UNKNOWN)) {
      assertThat(store.recordOutcome(other, run, "u3", o, "x", GRACE)).as(o.toString()).isFalse();
    }
    assertThat(userOutcomes(other, List.of("u3"))).containsEntry("u3", "u");
    assertThat(store.read(other).orElseThrow().unknown()).isEqualTo(1);
  }

  @Test
  void anOutcomeForAPushWhoseStatusIsGoneRecreatesNothing() {
    PushId rid = new PushId("wxapp1", "oc-gone-" + UUID.randomUUID());
    assertThat(store.recordOutcome(rid, run(), "u1", Outcome.FAILED, "-1", GRACE)).isFalse();
    assertThat(redis.exists(keys.pushStatus(rid.appId(), rid.requestId()))).isFalse();
    assertThat(redis.exists(keys.pushReasons(rid.appId(), rid.requestId()))).isFalse();
  }

  @Test
  void aBatchOfOutcomesCountsEachUserOnceAsSingleRecordsWouldAndFinishesThePush() {
    PushId rid = sending(5);
    assertThat(store.recordOutcome(rid, run(), "u1", Outcome.UNKNOWN, "in_doubt", GRACE)).isTrue();
    List<UserOutcome> batch = List.of(new UserOutcome("u1", Outcome.SENT, null, 77), new UserOutcome("u2", Outcome.SENT, null, 78),
        new UserOutcome("u3", Outcome.FAILED, "43101", 0), new UserOutcome("u2", Outcome.SENT, null, 78),
        new UserOutcome("u4", Outcome.NO_CREDENTIAL, null, 0), new UserOutcome("u5", Outcome.UNKNOWN, "in_doubt", 0));
    assertThat(store.recordOutcomes(rid, run(), batch, GRACE, b -> true, Duration.ofSeconds(5)))
        .as("u1 upgraded, u2 once (its repeat in the same batch is not counted)").containsExactly(true, true, true, false, true, true);
    PushStatus s = store.read(rid).orElseThrow();
    assertThat(List.of(s.sent(), s.failed(), s.noCredential(), s.unknown())).containsExactly(2L, 1L, 1L, 1L);
    assertThat(s.state()).isEqualTo("done");
    assertThat(redis.hgetAll(keys.pushReasons(rid.appId(), rid.requestId()))).isEqualTo(Map.of("43101", "1", "in_doubt", "1"));
    assertThat(store.recordOutcomes(rid, run(), batch, GRACE, b -> false, Duration.ofSeconds(5)))
        .as("the same batch again (a lost reply, or redelivered tasks): nothing counted twice").containsOnly(false);
    assertThat(store.read(rid).orElseThrow().sent()).isEqualTo(2);
    for (String u : List.of("u1", "u2", "u3", "u4", "u5")) {
      long ttl = redis.pttl(keys.pushOutcomes(rid.appId(), rid.requestId(), RedisKeys.bucketOf(u, 4)));
      assertThat(ttl).as("the bucket of " + u + " lives the grace time plus the refresh period").isGreaterThan(GRACE.toMillis());
    }
  }

  /** Each of {@code openIds}' final outcome code ({@code s}, {@code n}, {@code f}, {@code u}) in {@code id}'s outcome buckets, read through {@link RedisKeys}. */
  private Map<String, String> userOutcomes(PushId id, List<String> openIds) {
    Map<String, String> found = new TreeMap<>();
    String buckets = redis.hget(keys.pushStatus(id.appId(), id.requestId()), "buckets");
    if (buckets == null) return found;
    for (String openId : openIds) {
      int bucket = RedisKeys.bucketOf(openId, Integer.parseInt(buckets));
      String code = redis.hget(keys.pushOutcomes(id.appId(), id.requestId(), bucket), RedisKeys.outcomeField(openId));
      if (code != null) found.put(openId, code.substring(0, 1)); // 'u:<reason>' is unknown
    }
    return found;
  }
}
