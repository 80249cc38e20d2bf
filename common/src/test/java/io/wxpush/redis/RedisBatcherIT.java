package io.wxpush.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wxpush.testkit.RealServices;
import io.wxpush.testkit.TestEnv;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisDataException;

@ExtendWith(RealServices.class)
class RedisBatcherIT {

  @Test
  void manyConcurrentCallersEachGetTheirOwnReply(TestEnv env) throws Exception {
    RedisScript script = RedisScript.load(RedisBatcherIT.class, "incr-by-and-get.lua");
    String prefix = env.redisKeyPrefix();
    int callers = 2_000;
    try (UnifiedJedis redis = RedisConnections.open(RedisEndpoint.parse(env.redisUrl()), 8);
        RedisBatcher batcher = new RedisBatcher(redis, 2, 64);
        ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<Object>> replies = new ArrayList<>();
      for (int i = 0; i < callers; i++) {
        String key = prefix + "{c" + (i % 100) + "}";
        long by = i + 1;
        replies.add(threads.submit(() -> batcher.eval(script, List.of(key), List.of(Long.toString(by)))));
      }
      List<Future<Object>> own = new ArrayList<>();
      for (int i = 0; i < callers; i++) {
        String key = prefix + "{own" + i + "}";
        long by = 1_000_000L + i;
        own.add(threads.submit(() -> batcher.eval(script, List.of(key), List.of(Long.toString(by)))));
      }
      for (Future<Object> r : replies) assertThat(r.get()).isInstanceOf(Long.class);
      // a caller gets its own command's reply, never a neighbour's from the same pipeline
      for (int i = 0; i < callers; i++) assertThat(own.get(i).get()).isEqualTo(1_000_000L + i);
      // every increment ran exactly once: each counter holds the sum of its callers' amounts
      for (int k = 0; k < 100; k++) {
        long expected = 0;
        for (int i = k; i < callers; i += 100) expected += i + 1;
        assertThat(redis.get(prefix + "{c" + k + "}")).isEqualTo(Long.toString(expected));
      }
      // and a plain command answers its own caller
      redis.set(prefix + "{s}", "v");
      String value = batcher.call(p -> p.get(prefix + "{s}"));
      assertThat(value).isEqualTo("v");
      for (int k = 0; k < 100; k++) redis.del(prefix + "{c" + k + "}");
      for (int i = 0; i < callers; i++) redis.del(prefix + "{own" + i + "}");
      redis.del(prefix + "{s}");
    }
  }

  @Test
  void aFailingCommandFailsOnlyItsCallerAndScriptsReloadAfterAFlush(TestEnv env) throws Exception {
    RedisScript script = RedisScript.load(RedisBatcherIT.class, "incr-by-and-get.lua");
    String key = env.redisKeyPrefix() + "{counter}";
    String text = env.redisKeyPrefix() + "{text}";
    try (UnifiedJedis redis = RedisConnections.open(RedisEndpoint.parse(env.redisUrl()), 4);
        RedisBatcher batcher = new RedisBatcher(redis, 1, 64)) {
      redis.set(text, "not a number");
      assertThat(batcher.eval(script, List.of(key), List.of("5"))).isEqualTo(5L);
      assertThatThrownBy(() -> batcher.call(p -> p.incr(text))).isInstanceOf(JedisDataException.class);
      assertThat(batcher.eval(script, List.of(key), List.of("1"))).isEqualTo(6L);

      redis.scriptFlush(key); // as after a Redis restart: EVALSHA answers NOSCRIPT, the source is sent once
      assertThat(batcher.eval(script, List.of(key), List.of("2"))).isEqualTo(8L);
      assertThat(redis.get(key)).isEqualTo("8");
      redis.del(key); // one key per call: the two hash tags are different slots on a cluster
      redis.del(text);
    }
  }

  @Test
  void aClosedBatcherRefusesNewCommands(TestEnv env) {
    try (UnifiedJedis redis = RedisConnections.open(RedisEndpoint.parse(env.redisUrl()), 2)) {
      RedisBatcher batcher = new RedisBatcher(redis, 1, 8);
      batcher.close();
      assertThatThrownBy(() -> batcher.call(p -> p.exists("{any}"))).isInstanceOf(IllegalStateException.class);
    }
  }
}
