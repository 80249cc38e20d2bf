package io.wxpush.ingest.quota;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.wxpush.quota.Quota;
import io.wxpush.quota.QuotaStore;
import io.wxpush.redis.RedisConnections;
import io.wxpush.redis.RedisEndpoint;
import io.wxpush.redis.RedisKeys;
import io.wxpush.secret.Secret;
import io.wxpush.sim.SimConfig;
import io.wxpush.sim.WeChatSim;
import io.wxpush.testkit.RealServices;
import io.wxpush.testkit.TestEnv;
import io.wxpush.token.TokenManager;
import io.wxpush.wechat.WeChatApp;
import io.wxpush.wechat.WeChatClient;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.UnifiedJedis;

/** The quota refresher against the sim's {@code quota/get} and a real Redis: one read per period for the fleet, an early one after a 45009. */
@ExtendWith(RealServices.class)
class QuotaRefresherIT {
  private static final String APP = "wxapp1";
  private final Clock clock = Clock.systemUTC();
  private UnifiedJedis redis;
  private RedisKeys keys;
  private WeChatSim sim;
  private WeChatClient weChat;

  @BeforeEach
  void open(TestEnv env) {
    redis = RedisConnections.open(RedisEndpoint.parse(env.redisUrl()), 8);
    keys = new RedisKeys(env.redisKeyPrefix());
    sim = WeChatSim.start(SimConfig.builder().port(0).app(APP, "secret1").dailyQuota(APP, 500).rateLimit(APP, 300).build());
    weChat = new WeChatClient(URI.create(sim.baseUrl()), Duration.ofSeconds(5), 8, clock);
  }

  @AfterEach
  void close() {
    redis.del(keys.quota(APP), keys.pause(APP), keys.quotaLock(APP));
    weChat.close();
    sim.close();
    redis.close();
  }

  /** One ingest-api instance's refresher (each has its own token manager, as separate processes do). */
  private QuotaRefresher instance() {
    TokenManager tokens = new TokenManager(redis, keys, weChat, Map.of(APP, new WeChatApp(APP, Secret.of("secret1"))),
        TokenManager.Endpoint.STABLE, Duration.ofSeconds(5), clock, new SimpleMeterRegistry());
    return new QuotaRefresher(redis, keys, new QuotaStore(redis, keys), tokens, weChat, Set.of(APP), Duration.ofMinutes(5), Duration.ofSeconds(5), clock);
  }

  private long quotaCalls() {
    return sim.requests().stream().filter(r -> r.path().equals("/cgi-bin/openapi/quota/get")).count();
  }

  @Test
  void aFleetReadsTheQuotaOncePerPeriodAndKeepsItForEveryInstance() {
    QuotaRefresher first = instance();
    QuotaRefresher second = instance();

    first.run();
    second.run();
    first.run();

    assertThat(quotaCalls()).isEqualTo(1);
    Quota quota = new QuotaStore(redis, keys).read(APP).orElseThrow();
    assertThat(quota.dailyLimit()).isEqualTo(500);
    assertThat(quota.remain()).isEqualTo(500);
    assertThat(quota.rateLimit()).contains(new Quota.RateLimit(300, 1));
    assertThat(redis.pttl(keys.quota(APP))).as("kept three periods, at least 30 minutes").isBetween(Duration.ofMinutes(14).toMillis(), Duration.ofMinutes(30).toMillis());
  }

  @Test
  void aDailyQuotaPauseBringsOneEarlyReadThatShowsTheQuotaSpent() {
    QuotaRefresher refresher = instance();
    refresher.run();
    sim.faults().dailyQuota(APP, 0); // WeChat's count says nothing is left
    redis.set(keys.pause(APP), (clock.millis() + 3_600_000) + " 45011"); // a rate-limit pause: no early read
    refresher.run();
    assertThat(quotaCalls()).isEqualTo(1);

    redis.set(keys.pause(APP), (clock.millis() + 3_600_000) + " 45009");
    refresher.run();
    refresher.run();

    assertThat(quotaCalls()).as("one early read per pause").isEqualTo(2);
    assertThat(new QuotaStore(redis, keys).read(APP).orElseThrow().remain()).isZero();
  }
}
