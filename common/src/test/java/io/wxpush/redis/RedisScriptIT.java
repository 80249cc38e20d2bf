package io.wxpush.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.wxpush.testkit.RealServices;
import io.wxpush.testkit.TestEnv;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.UnifiedJedis;

@ExtendWith(RealServices.class)
class RedisScriptIT {

  @Test
  void scriptRunsOnRealRedisAndReloadsAfterScriptFlush(TestEnv env) {
    RedisScript script = RedisScript.load(RedisScriptIT.class, "incr-by-and-get.lua");
    String key = env.redisKeyPrefix() + "{counter}";
    try (UnifiedJedis redis = RedisConnections.open(RedisEndpoint.parse(env.redisUrl()), 4)) {
      assertThat(script.eval(redis, List.of(key), List.of("5"))).isEqualTo(5L);
      redis.scriptFlush(key); // as after a Redis restart: EVALSHA answers NOSCRIPT
      assertThat(script.eval(redis, List.of(key), List.of("2"))).isEqualTo(7L);
      assertThat(redis.get(key)).isEqualTo("7");
      redis.del(key);
    }
  }
}
