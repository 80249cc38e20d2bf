package io.wxpush.token;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.wxpush.redis.RedisEndpoint;
import io.wxpush.secret.Secret;
import io.wxpush.wechat.WeChatApp;
import io.wxpush.redis.RedisConnections;
import io.wxpush.redis.RedisKeys;
import io.wxpush.testkit.RealServices;
import io.wxpush.testkit.TestEnv;
import io.wxpush.wechat.WeChatClient;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.JedisPooled;
import redis.clients.jedis.UnifiedJedis;

/**
 * Two workers of the fleet on real Redis and a token endpoint that counts its calls (legacy
 * {@code cgi-bin/token}, where each fetch ends the token before it): a worker that found no token
 * and then takes the free lock must use the token another worker stored meanwhile, not fetch a
 * second one (BRIEF rule 4).
 */
@ExtendWith(RealServices.class)
class TokenRefreshRaceIT {
  private static final String APP = "wxapp1";
  private static final Map<String, WeChatApp> APPS = Map.of(APP, new WeChatApp(APP, Secret.of("secret1")));

  @Test
  void aWorkerTakingTheLockAfterAnotherRefreshedUsesTheStoredTokenInsteadOfFetchingASecond(TestEnv env) throws Exception {
    AtomicInteger fetches = new AtomicInteger();
    HttpServer weChat = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    weChat.createContext("/cgi-bin/token", exchange -> {
      byte[] body = ("{\"access_token\":\"token-" + fetches.incrementAndGet() + "\",\"expires_in\":7200}").getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    weChat.start();
    RedisKeys keys = new RedisKeys(env.redisKeyPrefix());
    URI base = URI.create("http://127.0.0.1:" + weChat.getAddress().getPort());
    WeChatClient client = new WeChatClient(base, Duration.ofSeconds(5), 4, Clock.systemUTC());
    try (UnifiedJedis redis = RedisConnections.open(RedisEndpoint.parse(env.redisUrl()), 4)) {
      TokenManager other = manager(redis, keys, client);
      AtomicBoolean raced = new AtomicBoolean();
      // this worker's Redis: its first read of the token finds none, and before it goes on to the
      // lock, the other worker refreshes completely (reads, locks, fetches, stores, unlocks)
      try (UnifiedJedis racing = new JedisPooled(URI.create(env.redisUrl())) {
        @Override
        public String get(String key) {
          String value = super.get(key);
          if (value == null && key.equals(keys.token(APP)) && raced.compareAndSet(false, true)) {
            try {
              other.token(APP);
            } catch (Exception e) {
              throw new IllegalStateException(e);
            }
          }
          return value;
        }
      }) {
        String mine = manager(racing, keys, client).token(APP);
        assertThat(raced).isTrue();
        assertThat(fetches.get()).as("token fetches from WeChat").isEqualTo(1);
        assertThat(mine).isEqualTo("token-1");
        assertThat(redis.get(keys.token(APP))).isEqualTo("token-1");
      }
    } finally {
      client.close();
      weChat.stop(0);
    }
  }

  private static TokenManager manager(UnifiedJedis redis, RedisKeys keys, WeChatClient client) {
    return new TokenManager(redis, keys, client, APPS, TokenManager.Endpoint.LEGACY, Duration.ofSeconds(5), Clock.systemUTC(),
        new SimpleMeterRegistry());
  }
}
