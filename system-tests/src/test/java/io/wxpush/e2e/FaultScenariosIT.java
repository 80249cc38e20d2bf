package io.wxpush.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.wxpush.user.UserRef;
import io.wxpush.redis.RedisKeys;
import io.wxpush.sim.SimTemplate;
import io.wxpush.testkit.JarProcess;
import io.wxpush.testkit.PrivateService;
import io.wxpush.testkit.RealServices;
import io.wxpush.testkit.TestEnv;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The fault scenarios of RELIABILITY.md that fit in CI: each runs uploads and a broadcast
 * through a real fault and checks the invariants (nothing acknowledged lost, nobody messaged
 * twice, the status matching the inboxes).
 */
@ExtendWith(RealServices.class)
class FaultScenariosIT {
  private static final Map<String, Object> MESSAGE = Map.of("keyword1", "hello");

  private static List<String> users(String prefix, int n) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n; i++) out.add(prefix + i);
    return out;
  }

  private static void templates(Stack stack) {
    stack.sim.registerTemplate(new SimTemplate(Stack.APP, "TPL_ORDER", SimTemplate.Kind.TEMPLATE, List.of("keyword1"), Set.of()));
  }

  private static String broadcast(Stack stack) throws Exception {
    return stack.push(Map.of("appId", Stack.APP, "kind", "template", "templateId", "TPL_ORDER", "data", MESSAGE, "audience", Map.of("all", true)));
  }

  private static JsonNode awaitDone(Stack stack, String rid, Duration limit) {
    return await().atMost(limit).pollInterval(Duration.ofMillis(500)).until(() -> stack.status(rid), s -> "done".equals(s.path("state").asText()));
  }

  @Test
  void aFanoutKilledMidBroadcastResumesWhereItStopped(TestEnv env) throws Exception {
    try (Stack stack = Stack.start(env, Map.of())) {
      templates(stack);
      List<String> openIds = users("fk", 3_000);
      stack.seedFormIds(openIds, 1, System.currentTimeMillis());
      stack.worker("sender", Map.of());
      Map<String, String> vars = new HashMap<>(Stack.baseEnv(env, stack.sim, Map.of("WORKER_ROLES", "fanout", "HTTP_PORT", "0", "FANOUT_PAGE", "5")));
      String rid;
      try (JarProcess first = JarProcess.start(JarProcess.siblingJar("push-worker"), vars)) {
        rid = broadcast(stack);
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(5)).until(() -> stack.status(rid).path("targets").asLong() > 200);
        first.kill();
      }
      long targetsAtKill = stack.status(rid).path("targets").asLong();
      assertThat(targetsAtKill).as("killed mid-fan-out").isLessThan(3_000);
      try (JarProcess second = JarProcess.start(JarProcess.siblingJar("push-worker"), vars)) {
        JsonNode status = awaitDone(stack, rid, Duration.ofSeconds(120));
        assertThat(status.get("sent").asLong()).isEqualTo(3_000);
        Invariants.exactlyOnce(stack, status, openIds);
      }
    }
  }

  @Test
  void theKafkaBrokerRestartedDuringUploadsAndDuringSending(TestEnv env) throws Exception {
    try (PrivateService kafka = PrivateService.kafka();
        Stack stack = Stack.start(env, Map.of("KAFKA_BOOTSTRAP_SERVERS", kafka.address()))) {
      templates(stack);
      stack.worker("credentials,fanout,sender", Map.of());
      List<String> openIds = users("kr", 600);
      AtomicBoolean restarted = new AtomicBoolean();
      Map<String, Integer> acked = new ConcurrentHashMap<>();
      AtomicInteger ackedAtStop = new AtomicInteger(-1);
      Thread restarter = Thread.ofVirtual().start(() -> {
        try {
          // once uploads are flowing, so that the rest of them run into the restart
          await().atMost(Duration.ofSeconds(60)).until(() -> acked.size() >= 50);
          ackedAtStop.set(acked.size());
          kafka.stop();
          kafka.restart();
          restarted.set(true);
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });
      stack.upload(openIds, 2, acked, new AtomicInteger());
      restarter.join();
      assertThat(restarted).isTrue();
      assertThat(ackedAtStop.get()).as("uploads acknowledged when Kafka stopped").isLessThan(openIds.size());
      await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> Invariants.nothingAcknowledgedLost(stack, acked));

      stack.sim.faults().latency(Duration.ofMillis(30), Duration.ZERO);
      String rid = broadcast(stack);
      await().atMost(Duration.ofSeconds(60)).until(() -> stack.sim.deliveredCount() > 100);
      kafka.stop();
      kafka.restart();
      JsonNode status = awaitDone(stack, rid, Duration.ofSeconds(180));
      assertThat(status.get("sent").asLong()).isEqualTo(600);
      Invariants.exactlyOnce(stack, status, openIds);
    }
  }

  @Test
  void redisRestartedDuringTheSinkAndDuringSending(TestEnv env) throws Exception {
    try (PrivateService redis = PrivateService.redis();
        Stack stack = Stack.start(env, Map.of("REDIS_URL", redis.address()))) {
      templates(stack);
      stack.worker("credentials,fanout,sender", Map.of());
      List<String> openIds = users("rr", 600);
      Thread restarter = Thread.ofVirtual().start(() -> {
        try (var jedis = stack.redis()) {
          // once the sink has stored its first pools: it is writing while Redis goes away
          var keys = new io.wxpush.redis.RedisKeys(env.redisKeyPrefix());
          String[] pools = openIds.stream().map(o -> keys.templatePool(new io.wxpush.user.UserRef(Stack.APP, o))).toArray(String[]::new);
          await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20)).until(() -> jedis.exists(pools) > 0);
          redis.stop();
          redis.restart();
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });
      Map<String, Integer> acked = stack.upload(openIds, 2);
      restarter.join();
      await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> Invariants.nothingAcknowledgedLost(stack, acked));

      stack.sim.faults().latency(Duration.ofMillis(30), Duration.ZERO);
      String rid = broadcast(stack);
      await().atMost(Duration.ofSeconds(60)).until(() -> stack.sim.deliveredCount() > 100);
      redis.stop();
      redis.restart();
      JsonNode status = awaitDone(stack, rid, Duration.ofSeconds(180));
      assertThat(status.get("sent").asLong()).isEqualTo(600);
      Invariants.exactlyOnce(stack, status, openIds);
    }
  }

  @Test
  void weChatFaultsAtHighRatesStillMessageNobodyTwice(TestEnv env) throws Exception {
    try (Stack stack = Stack.start(env, Map.of())) {
      templates(stack);
      List<String> openIds = users("wf", 1_000);
      stack.seedFormIds(openIds, 2, System.currentTimeMillis());
      stack.sim.faults().latency(Duration.ofMillis(10), Duration.ofMillis(40))
          .systemErrorRate(0.30).http500Rate(0.05).http503Rate(0.05)
          .hangBeforeRate(0.02, Duration.ofSeconds(3)).hangAfterDeliveryRate(0.02, Duration.ofSeconds(3))
          .rateLimitNext(50);
      stack.worker("fanout,sender", Map.of("SEND_MAX_ATTEMPTS", "15", "WECHAT_TIMEOUT", "1s"));
      // the token forced invalid, again and again
      ScheduledExecutorService invalidator = Executors.newSingleThreadScheduledExecutor();
      invalidator.scheduleAtFixedRate(() -> stack.sim.invalidateTokens(Stack.APP), 0, 2, TimeUnit.SECONDS);
      String rid = broadcast(stack);
      JsonNode status;
      try {
        status = awaitDone(stack, rid, Duration.ofSeconds(240));
      } finally {
        invalidator.shutdownNow();
        invalidator.awaitTermination(10, TimeUnit.SECONDS);
      }

      Invariants.exactlyOnce(stack, status, openIds);
      assertThat(status.get("sent").asLong() + status.get("unknown").asLong()).as("delivered or in doubt").isGreaterThanOrEqualTo(990);
      Map<Integer, Long> errcodes = stack.sim.errcodeCounts();
      assertThat(errcodes.getOrDefault(-1, 0L)).isPositive();
      assertThat(errcodes.getOrDefault(45011, 0L)).isPositive();
      assertThat(errcodes.getOrDefault(40001, 0L)).isPositive();
    }
  }
}
