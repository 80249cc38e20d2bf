package io.wxpush.token;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.wxpush.redis.RedisEndpoint;
import io.wxpush.secret.Secret;
import io.wxpush.wechat.WeChatApp;
import io.wxpush.redis.RedisConnections;
import io.wxpush.redis.RedisKeys;
import io.wxpush.sim.SimConfig;
import io.wxpush.sim.WeChatSim;
import io.wxpush.testkit.RealServices;
import io.wxpush.testkit.TestEnv;
import io.wxpush.wechat.WeChatClient;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.UnifiedJedis;

/** The token manager on real Redis: one token per app, one look-up per process, a lock that outlasts a refresh. */
@ExtendWith(RealServices.class)
class TokenManagerIT {
  private static final Map<String, WeChatApp> APPS = Map.of("wxapp1", new WeChatApp("wxapp1", Secret.of("secret1")));
  private UnifiedJedis redis;
  private String prefix;

  @BeforeEach
  void open(TestEnv env) {
    redis = RedisConnections.open(RedisEndpoint.parse(env.redisUrl()), 8);
    prefix = env.redisKeyPrefix();
  }

  @AfterEach
  void close() {
    redis.close();
  }

  private TokenManager manager(URI base, Duration timeout) {
    WeChatClient weChat = new WeChatClient(base, timeout, 8, Clock.systemUTC());
    return new TokenManager(redis, new RedisKeys(prefix), weChat, APPS, TokenManager.Endpoint.STABLE, timeout, Clock.systemUTC(), new SimpleMeterRegistry());
  }

  @Test
  void threadsOfOneProcessThatNeedATokenAtOnceShareOneLookUp() throws Exception {
    try (WeChatSim sim = WeChatSim.start(SimConfig.builder().port(0).app("wxapp1", "secret1").build())) {
      TokenManager tokens = manager(URI.create(sim.baseUrl()), Duration.ofSeconds(5));
      CountDownLatch go = new CountDownLatch(1);
      List<Future<String>> got = new ArrayList<>();
      try (var threads = Executors.newVirtualThreadPerTaskExecutor()) {
        for (int i = 0; i < 500; i++) {
          got.add(threads.submit(() -> {
            go.await();
            return tokens.token("wxapp1");
          }));
        }
        go.countDown();
        Set<String> distinct = ConcurrentHashMap.newKeySet();
        for (Future<String> f : got) distinct.add(f.get());
        assertThat(distinct).hasSize(1);
      }
      assertThat(sim.tokenCallCount()).as("one fetch from WeChat").isEqualTo(1);
    }
  }

  /** A stand-in for WeChat's token endpoint that answers what the test says, and counts. */
  private static final class TokenStub implements AutoCloseable {
    final HttpServer server;
    final AtomicInteger normal = new AtomicInteger();
    final AtomicInteger forced = new AtomicInteger();
    volatile int expiresIn = 7200;
    volatile CountDownLatch hold = new CountDownLatch(0);
    final CountDownLatch entered = new CountDownLatch(1);

    TokenStub() throws Exception {
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
      server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
      server.createContext("/cgi-bin/stable_token", exchange -> {
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        boolean force = body.contains("\"force_refresh\":true");
        int n = (force ? forced : normal).incrementAndGet();
        entered.countDown();
        try {
          hold.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        byte[] answer = ("{\"access_token\":\"tok-" + (force ? "f" : "n") + n + "\",\"expires_in\":" + expiresIn + "}").getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, answer.length);
        exchange.getResponseBody().write(answer);
        exchange.close();
      });
      server.start();
    }

    URI base() {
      return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    @Override
    public void close() {
      server.stop(0);
    }
  }

  @Test
  void aTokenHandedOutWithLittleTimeLeftIsReplacedOnceThenKeptForHalfItsLifeNotEverySecond() throws Exception {
    try (TokenStub stub = new TokenStub()) {
      stub.expiresIn = 100; // under the 200 s wxpush keeps in reserve
      TokenManager tokens = manager(stub.base(), Duration.ofSeconds(5));
      assertThat(tokens.token("wxapp1")).isEqualTo("tok-f1");
      assertThat(stub.normal.get()).isEqualTo(1);
      assertThat(stub.forced.get()).as("one forced refresh for a fresh token").isEqualTo(1);
      long ttl = redis.pttl(new RedisKeys(prefix).token("wxapp1"));
      assertThat(ttl).as("kept for half of the 100 s it has left").isBetween(40_000L, 50_000L);
    }
  }

  @Test
  void theRefreshLockOutlastsANormalAndAForcedFetch() throws Exception {
    try (TokenStub stub = new TokenStub()) {
      stub.hold = new CountDownLatch(1);
      Duration timeout = Duration.ofSeconds(4);
      TokenManager tokens = manager(stub.base(), timeout);
      Future<String> refresh = Executors.newVirtualThreadPerTaskExecutor().submit(() -> tokens.token("wxapp1"));
      assertThat(stub.entered.await(10, TimeUnit.SECONDS)).isTrue();
      long lockTtl = redis.pttl(new RedisKeys(prefix).tokenLock("wxapp1"));
      stub.hold.countDown();
      assertThat(refresh.get()).isEqualTo("tok-n1");
      assertThat(lockTtl).as("lease of the refresh lock").isGreaterThan(2 * timeout.toMillis());
      await().atMost(Duration.ofSeconds(5)).until(() -> !redis.exists(new RedisKeys(prefix).tokenLock("wxapp1")));
    }
  }
}
