package io.wxpush.ingest.push;

import static org.assertj.core.api.Assertions.assertThat;

import io.wxpush.redis.RedisEndpoint;
import io.wxpush.redis.RedisConnections;
import io.wxpush.redis.RedisKeys;
import io.wxpush.testkit.RealServices;
import io.wxpush.testkit.TestEnv;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.UnifiedJedis;

/** The callback queue on real Redis: its writes never bring back a push status that has expired (BRIEF rule 9: no key without a TTL). */
@ExtendWith(RealServices.class)
class PushCallbacksIT {

  @Test
  void endingRetryingOrTimingTheCallbackOfAnExpiredPushLeavesNoStatusKey(TestEnv env) {
    RedisKeys keys = new RedisKeys(env.redisKeyPrefix());
    try (UnifiedJedis redis = RedisConnections.open(RedisEndpoint.parse(env.redisUrl()), 4)) {
      PushCallbacks callbacks = new PushCallbacks(redis, keys, Clock.systemUTC());
      String app = "wxapp1";
      String rid = "expired-push";
      redis.zadd(keys.callbacks(app), 0, rid); // queued while the push ran; its status hash has expired since

      callbacks.callbackFinalSince(app, rid);
      callbacks.retryCallback(app, rid, 3, System.currentTimeMillis() + 1_000);
      callbacks.endCallback(app, rid, "gave_up", 3);

      assertThat(redis.exists(keys.pushStatus("wxapp1", rid))).as("no status hash recreated without a TTL").isFalse();
      assertThat(redis.zscore(keys.callbacks(app), rid)).as("the callback left the queue").isNull();
    }
  }

  @Test
  void endingTheCallbackOfALivePushKeepsItsStatusTtl(TestEnv env) {
    RedisKeys keys = new RedisKeys(env.redisKeyPrefix());
    try (UnifiedJedis redis = RedisConnections.open(RedisEndpoint.parse(env.redisUrl()), 4)) {
      PushCallbacks callbacks = new PushCallbacks(redis, keys, Clock.systemUTC());
      String rid = "live-push";
      redis.hset(keys.pushStatus("wxapp1", rid), "state", "done");
      redis.pexpire(keys.pushStatus("wxapp1", rid), Duration.ofDays(8).toMillis());
      callbacks.expectCallback("wxapp1", rid, "https://example.com/hook", "0123456789abcdef");
      callbacks.endCallback("wxapp1", rid, "delivered", 1);
      assertThat(redis.hget(keys.pushStatus("wxapp1", rid), "cbState")).isEqualTo("delivered");
      assertThat(redis.pttl(keys.pushStatus("wxapp1", rid))).isPositive();
      redis.del(keys.pushStatus("wxapp1", rid), keys.callbacks("wxapp1"));
    }
  }
}
