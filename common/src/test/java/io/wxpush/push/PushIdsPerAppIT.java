package io.wxpush.push;

import io.wxpush.client.PushRequest;
import static org.assertj.core.api.Assertions.assertThat;

import io.wxpush.redis.RedisEndpoint;
import io.wxpush.redis.RedisConnections;
import io.wxpush.redis.RedisKeys;
import io.wxpush.testkit.RealServices;
import io.wxpush.testkit.TestEnv;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.UnifiedJedis;

/** A requestId is its app's in the store: two apps' pushes of one id live apart, and a status of before per-app ids is read for its own app only. */
@ExtendWith(RealServices.class)
class PushIdsPerAppIT {

  private static PushRequest push(String appId, String rid, String word) {
    return new PushRequest(1, rid, appId, "template", "TPL", null, Map.of("keyword1", word), null, null, null,
        new PushRequest.Audience(List.of("u1"), null, null), null, null, null, null);
  }

  @Test
  void twoAppsAcceptOneRequestIdAsTwoNewPushesEachFoundOnlyInItsApp(TestEnv env) {
    RedisKeys keys = new RedisKeys(env.redisKeyPrefix());
    try (UnifiedJedis redis = RedisConnections.open(RedisEndpoint.parse(env.redisUrl()), 4)) {
      PushStatusStore store = new PushStatusStore(redis, keys, Clock.systemUTC());
      String rid = "order-" + UUID.randomUUID();
      assertThat(store.accept(push("wxa", rid, "a"))).isEqualTo(PushStatusStore.Acceptance.NEW);
      assertThat(store.seen(push("wxb", rid, "b"))).as("another app's id is no conflict").isEqualTo(PushStatusStore.Acceptance.NEW);
      assertThat(store.accept(push("wxb", rid, "b"))).isEqualTo(PushStatusStore.Acceptance.NEW);
      assertThat(store.seen(push("wxa", rid, "changed"))).isEqualTo(PushStatusStore.Acceptance.CONFLICT);
      assertThat(store.read(new PushId("wxa", rid)).orElseThrow().appId()).isEqualTo("wxa");
      assertThat(store.read(new PushId("wxb", rid)).orElseThrow().appId()).isEqualTo("wxb");
      assertThat(store.appsWith(rid, List.of("wxa", "wxb", "wxc"))).containsExactly("wxa", "wxb");
      assertThat(store.appsWith(rid, List.of("wxc"))).isEmpty();
    }
  }

  @Test
  void aStatusWrittenBeforePerAppIdsIsReadOnlyForTheAppItNames(TestEnv env) {
    RedisKeys keys = new RedisKeys(env.redisKeyPrefix());
    try (UnifiedJedis redis = RedisConnections.open(RedisEndpoint.parse(env.redisUrl()), 4)) {
      PushStatusStore store = new PushStatusStore(redis, keys, Clock.systemUTC());
      String rid = "old-" + UUID.randomUUID();
      redis.hset(keys.legacyPushStatus(rid), Map.of("state", "done", "appId", "wxa", "targets", "3", "sent", "3"));
      redis.hset(keys.legacyPushReasons(rid), Map.of("async_43101", "1"));
      redis.pexpire(keys.legacyPushStatus(rid), 60_000);
      redis.pexpire(keys.legacyPushReasons(rid), 60_000);

      PushStatus old = store.read(new PushId("wxa", rid)).orElseThrow();
      assertThat(old.sent()).isEqualTo(3);
      assertThat(old.byReason()).containsEntry("async_43101", 1L);
      assertThat(store.read(new PushId("wxb", rid))).as("another app's old push").isEmpty();
      assertThat(store.appsWith(rid, List.of("wxa", "wxb"))).containsExactly("wxa");
      assertThat(store.appsWith(rid, List.of("wxb"))).isEmpty();
      assertThat(store.cancel(new PushId("wxa", rid))).as("read-only").isEqualTo(PushStatusStore.Cancel.MISSING);
      assertThat(redis.exists(keys.pushStatus("wxa", rid))).isFalse();
      redis.del(keys.legacyPushStatus(rid), keys.legacyPushReasons(rid));
    }
  }
}
