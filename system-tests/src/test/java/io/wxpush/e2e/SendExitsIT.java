package io.wxpush.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.wxpush.redis.RedisEndpoint;
import io.wxpush.worker.sender.LedgerEntry;
import io.wxpush.worker.sender.SendLedger;
import io.wxpush.user.UserRef;
import io.wxpush.json.Json;
import io.wxpush.kafka.KafkaClients;
import io.wxpush.kafka.Topics;
import io.wxpush.client.PushRequest;
import io.wxpush.push.PushId;
import io.wxpush.push.PushRun;
import io.wxpush.push.PushStatusStore;
import io.wxpush.push.PushTask;
import io.wxpush.redis.RedisKeys;
import io.wxpush.sim.SimTemplate;
import io.wxpush.testkit.ApiClient;
import io.wxpush.testkit.DelayProxy;
import io.wxpush.testkit.JarProcess;
import io.wxpush.testkit.RealServices;
import io.wxpush.testkit.TestEnv;
import io.wxpush.worker.PushWorker;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The side exits of a send that used to break "one message per (push, user)" or lose a task
 * (issue 27, items 1, 2, 4, 5 and 6), each against real Kafka, Redis and wechat-sim: an in-doubt
 * send given up before its first ledger step, a cancel while Redis answers the sender slowly, a
 * fail-fast push meeting a redelivered task under a frequency cap, a sender killed in a task's
 * last delivery, and a frozen sender that reads WeChat's 0 after its lease ran out.
 */
@ExtendWith(RealServices.class)
class SendExitsIT {
  private static final String TEMPLATE = "TPL_ORDER";

  private static void template(Stack stack) {
    stack.sim.registerTemplate(new SimTemplate(Stack.APP, TEMPLATE, SimTemplate.Kind.TEMPLATE, List.of("keyword1"), Set.of()));
  }

  private static Map<String, Object> push(Map<String, Object> audience) {
    return Map.of("appId", Stack.APP, "kind", "template", "templateId", TEMPLATE, "data", Map.of("keyword1", "hello"), "audience", audience);
  }

  private static JsonNode awaitDone(Stack stack, String rid, Duration limit) {
    return await().atMost(limit).pollInterval(Duration.ofMillis(300)).ignoreExceptions()
        .until(() -> stack.status(rid), s -> "done".equals(s.path("state").asText()));
  }

  private static String address(String url) {
    var node = RedisEndpoint.parse(url).nodes().getFirst();
    return node.getHost() + ":" + node.getPort();
  }

  private static void awaitQuiet(DelayProxy tap, Duration quiet, Duration limit) {
    await().atMost(limit).pollInterval(Duration.ofMillis(200)).until(() -> {
      List<Long> times = tap.requestTimes();
      return times.isEmpty() || System.nanoTime() - times.getLast() > quiet.toNanos();
    });
  }

  private static Map<String, LedgerEntry.State> ledgerStates(Stack stack, TestEnv env, String rid, List<String> openIds) {
    try (var redis = stack.redis()) {
      RedisKeys keys = new RedisKeys(env.redisKeyPrefix());
      PushRun run = new PushStatusStore(redis, keys, Clock.systemUTC()).startRun(new PushId(Stack.APP, rid), Duration.ofHours(24), 1);
      SendLedger ledger = new SendLedger(redis, null, keys, Clock.systemUTC(), Duration.ofSeconds(60), Duration.ofHours(24));
      Map<String, LedgerEntry.State> states = new HashMap<>();
      for (String o : openIds) {
        ledger.read(new UserRef(Stack.APP, o), run, null).ifPresent(e -> states.put(o, e.state()));
      }
      return states;
    }
  }

  private static Map<LedgerEntry.State, Long> counts(Map<String, LedgerEntry.State> states) {
    return states.values().stream().collect(Collectors.groupingBy(s -> s, Collectors.counting()));
  }

  // item 1

  @Test
  void aFormIdSendInDoubtWhoseNextDeliveryCannotFetchATokenEndsUnknownAndARetrySendsItNothing(TestEnv env) throws Exception {
    try (Stack stack = Stack.start(env, Map.of())) {
      template(stack);
      String openId = "td0";
      stack.seedFormIds(List.of(openId), 2, System.currentTimeMillis());
      stack.worker("fanout", Map.of());
      // every answer is lost after delivery; the first delivery's lock leaves no time to try again
      stack.sim.faults().hangAfterDeliveryRate(1.0, Duration.ofSeconds(30));
      PushWorker first = stack.worker("sender", Map.of("WECHAT_TIMEOUT", "8s", "TASK_LOCK", "15s"));
      String rid = stack.push(push(Map.of("openIds", List.of(openId))));
      await().atMost(Duration.ofSeconds(60)).until(() -> stack.sim.deliveredCount() == 1);
      first.close(); // its delivery times out, hands the task back in doubt, and the sender stops
      stack.workers.remove(first);

      // the next delivery cannot fetch a token: no stored one, and WeChat unreachable
      try (var redis = stack.redis()) {
        redis.del(new RedisKeys(env.redisKeyPrefix()).token(Stack.APP));
      }
      PushWorker blind = stack.worker("sender", Map.of("WECHAT_API_BASE", "http://127.0.0.1:" + Stack.freePort(), "SEND_MAX_ATTEMPTS", "2"));
      JsonNode status = awaitDone(stack, rid, Duration.ofSeconds(90));
      blind.close();
      stack.workers.remove(blind);

      assertThat(stack.userOutcomes(rid, List.of(openId))).as("in doubt: never failed").containsEntry(openId, "u");
      assertThat(status.path("retryable").asLong()).isZero();
      stack.sim.faults().clear();
      stack.worker("sender", Map.of());
      stack.client.post("/v1/pushes/" + rid + "/retry", Stack.API_KEY, Map.of());
      Stack.staysTrue(Duration.ofSeconds(5), () -> stack.sim.inbox(Stack.APP, openId).size() == 1);
      assertThat(stack.sendsLeft(openId)).as("no second form_id spent").isEqualTo(1);
    }
  }

  // item 2

  @Test
  void aCancelWhileRedisAnswersTheSenderSlowlyLetsNoSendReachWeChatAfterTheAnswer(TestEnv env) throws Exception {
    String[] redisAt = address(env.redisUrl()).split(":");
    try (Stack stack = Stack.start(env, Map.of());
        DelayProxy slowRedis = DelayProxy.start(redisAt[0], Integer.parseInt(redisAt[1]));
        DelayProxy toWeChat = DelayProxy.start("127.0.0.1", stack.sim.port())) {
      template(stack);
      List<String> openIds = Stack.users("sl", 1500);
      stack.seedFormIds(openIds, 1, System.currentTimeMillis());
      stack.sim.faults().latency(Duration.ofMillis(20), Duration.ofMillis(10));
      stack.worker("fanout", Map.of());
      stack.worker("sender", Map.of("REDIS_URL", "redis://127.0.0.1:" + slowRedis.port(),
          "WECHAT_API_BASE", "http://127.0.0.1:" + toWeChat.port(), "SENDER_CONCURRENCY", "64"));
      String rid = stack.push(push(Map.of("all", true)));
      await().atMost(Duration.ofSeconds(60)).until(() -> stack.sim.deliveredCount() > 100);

      // Redis answers the sender's reads of the push's status a second late (everything else at once)
      slowRedis.delayRepliesTo("failFast", Duration.ofMillis(1_000));
      // cancel just after such a read left the sender: it sees "not stopped", a second late
      assertThat(slowRedis.awaitRequestContaining("failFast", Duration.ofSeconds(30))).isPositive();
      ApiClient.Reply cancel = stack.client.send("DELETE", "/v1/pushes/" + rid, Map.of("Authorization", "Bearer " + Stack.API_KEY), null);
      long answeredAt = System.nanoTime();
      assertThat(cancel.status()).isEqualTo(202);

      awaitQuiet(toWeChat, Duration.ofSeconds(4), Duration.ofSeconds(60));
      long before = toWeChat.requestTimes().stream().filter(t -> t <= answeredAt).count();
      List<Long> after = toWeChat.requestTimes().stream().filter(t -> t > answeredAt).toList();
      System.out.printf("RESULT slow-redis cancel: requests before the answer=%d after=%d delivered=%d%n", before, after.size(),
          stack.sim.deliveredCount());
      assertThat(after).as("requests that reached WeChat after DELETE answered (ms after the answer)")
          .extracting(t -> (t - answeredAt) / 1_000_000).isEmpty();
      assertThat(stack.sim.deliveredCount()).as("the broadcast was cut short").isLessThan(openIds.size());
    }
  }

  // item 4

  @Test
  void aCappedUserWhoseTaskMetAFailedPushOnRedeliveryGetsTheNextPushAndKeepsTheCredential(TestEnv env) throws Exception {
    try (Stack stack = Stack.start(env, Map.of())) {
      template(stack);
      String openId = "cap0";
      stack.seedFormIds(List.of(openId), 2, System.currentTimeMillis());
      Map<String, Object> policy = new HashMap<>();
      policy.put("quietHours", null);
      policy.put("maxPerUserPerDay", 1);
      policy.put("reserveLast", false);
      stack.client.send("PUT", "/v1/apps/" + Stack.APP + "/policy", Map.of("Authorization", "Bearer " + Stack.API_KEY,
          "Content-Type", "application/json"), Json.writeString(policy).getBytes(StandardCharsets.UTF_8)).expect(200);

      // a first delivery claimed the user's credential and handed the task back; meanwhile the push failed fast
      String rid = "ff-" + UUID.randomUUID();
      PushRequest request = new PushRequest(1, rid, Stack.APP, "template", TEMPLATE, null, Map.of("keyword1", "hello"), null, null,
          null, new PushRequest.Audience(List.of(openId), null), null);
      PushRun run;
      try (var redis = stack.redis()) {
        RedisKeys keys = new RedisKeys(env.redisKeyPrefix());
        PushStatusStore status = new PushStatusStore(redis, keys, Clock.systemUTC());
        status.initStatus(request);
        run = status.startRun(new PushId(Stack.APP, rid), Duration.ofHours(24), 1);
        status.recordPage(new PushId(Stack.APP, rid), "", "1", 1);
        status.finishFanout(new PushId(Stack.APP, rid));
        SendLedger ledger = new SendLedger(redis, null, keys, Clock.systemUTC(), Duration.ofSeconds(60), Duration.ofHours(24));
        assertThat(ledger.claim(new UserRef(Stack.APP, openId), run, null).status()).isEqualTo(SendLedger.Status.CLAIMED);
        status.failFast(new PushId(Stack.APP, rid), "40037");
      }
      stack.worker("fanout,sender", Map.of());
      // the task's redelivery
      try (KafkaProducer<String, byte[]> producer = KafkaClients.durableProducer(env.kafkaBootstrapServers(), "ff-test", 30_000)) {
        PushTask task = PushTask.of(request, openId, run);
        producer.send(new ProducerRecord<>(new Topics(env.topicPrefix()).pushTasks(), task.kafkaKey(), Json.write(task))).get();
      }
      JsonNode failed = awaitDone(stack, rid, Duration.ofSeconds(60));
      assertThat(failed.path("failed").asLong()).isEqualTo(1);
      assertThat(stack.sim.inbox(Stack.APP, openId)).isEmpty();

      String next = stack.push(push(Map.of("openIds", List.of(openId))));
      JsonNode status = awaitDone(stack, next, Duration.ofSeconds(60));
      assertThat(status.path("sent").asLong()).as("not capped by a claim nobody holds: " + status).isEqualTo(1);
      assertThat(stack.sim.inbox(Stack.APP, openId)).hasSize(1);
      assertThat(stack.sendsLeft(openId)).as("the failed push's credential came back").isEqualTo(1);
    }
  }

  // item 5

  @Test
  void aSenderKilledInATasksLastDeliveryLeavesASpareDeliveryThatDeadLettersItAndThePushEnds(TestEnv env) throws Exception {
    try (Stack stack = Stack.start(env, Map.of());
        DelayProxy toWeChat = DelayProxy.start("127.0.0.1", stack.sim.port())) {
      template(stack);
      String openId = "last0";
      stack.seedFormIds(List.of(openId), 1, System.currentTimeMillis());
      Topics topics = new Topics(env.topicPrefix());
      try (Admin admin = KafkaClients.admin(env.kafkaBootstrapServers(), "it-admin")) {
        ConfigResource group = new ConfigResource(ConfigResource.Type.GROUP, topics.senderGroup());
        admin.incrementalAlterConfigs(Map.of(group, List.of(
            new AlterConfigOp(new ConfigEntry("share.auto.offset.reset", "earliest"), AlterConfigOp.OpType.SET)))).all().get();
      }
      stack.worker("fanout", Map.of());
      String rid = stack.push(push(Map.of("openIds", List.of(openId))));

      // four deliveries come and go (handed back), as after four locks that ran out
      try (KafkaShareConsumer<String, byte[]> early = KafkaClients.shareConsumer(env.kafkaBootstrapServers(), topics.senderGroup(), "early", 10)) {
        early.subscribe(Set.of(topics.pushTasks()));
        int handedOut = 0;
        long until = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (handedOut < 4 && System.nanoTime() < until) {
          for (ConsumerRecord<String, byte[]> r : early.poll(Duration.ofMillis(500))) {
            early.acknowledge(r, AcknowledgeType.RELEASE);
            handedOut = r.deliveryCount().orElseThrow();
          }
          early.commitSync();
        }
        assertThat(handedOut).isEqualTo(4);
      }
      // the fifth, the last TASK_MAX_DELIVERIES allows, goes to a sender that dies mid-call
      stack.sim.faults().hangBeforeRate(1.0, Duration.ofSeconds(60));
      int port = Stack.freePort();
      try (JarProcess doomed = stack.senderProcess(port, Map.of("WECHAT_API_BASE", "http://127.0.0.1:" + toWeChat.port(),
          "TASK_LOCK", "15s", "WECHAT_TIMEOUT", "5s"))) {
        assertThat(toWeChat.awaitRequestContaining("template/send", Duration.ofSeconds(90))).isPositive();
        doomed.kill();
      }
      stack.sim.faults().clear();
      stack.worker("sender", Map.of("TASK_LOCK", "15s"));

      JsonNode status = awaitDone(stack, rid, Duration.ofSeconds(90));
      assertThat(status.path("pending").asLong()).isZero();
      List<JsonNode> dlq = new ArrayList<>();
      try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
          ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, env.kafkaBootstrapServers(), ConsumerConfig.GROUP_ID_CONFIG, env.group("dlq-reader"),
          ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new StringDeserializer(), new ByteArrayDeserializer())) {
        consumer.subscribe(List.of(topics.pushDlq()));
        await().atMost(Duration.ofSeconds(30)).until(() -> {
          for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(300))) dlq.add(Json.MAPPER.readTree(r.value()));
          return !dlq.isEmpty();
        });
      }
      assertThat(dlq.getFirst().path("reason").asText()).isEqualTo("redelivered_6_times");
      assertThat(dlq.getFirst().path("task").path("openId").asText()).isEqualTo(openId);
    }
  }

  // item 6

  @Test
  void aSenderStalledPastItsLeaseThatReadsWeChatsZeroAfterwardsTurnsItsUnknownUsersSent(TestEnv env) throws Exception {
    String[] redisAt = address(env.redisUrl()).split(":");
    try (Stack stack = Stack.start(env, Map.of());
        DelayProxy toWeChat = DelayProxy.start("127.0.0.1", stack.sim.port());
        DelayProxy toRedis = DelayProxy.start(redisAt[0], Integer.parseInt(redisAt[1]))) {
      template(stack);
      List<String> openIds = Stack.users("st", 10);
      stack.seedPrepayIds(openIds, System.currentTimeMillis());
      String rid = "stall-" + UUID.randomUUID();
      PushRequest request = new PushRequest(1, rid, Stack.APP, "template", TEMPLATE, null, Map.of("keyword1", "hello"), null, null,
          null, new PushRequest.Audience(openIds, null), null);
      PushRun run;
      try (var redis = stack.redis()) {
        PushStatusStore status = new PushStatusStore(redis, new RedisKeys(env.redisKeyPrefix()), Clock.systemUTC());
        status.initStatus(request);
        run = status.startRun(new PushId(Stack.APP, rid), Duration.ofHours(24), PushRun.bucketsFor(openIds.size()));
        status.recordPage(new PushId(Stack.APP, rid), "", Integer.toString(openIds.size()), openIds.size());
        status.finishFanout(new PushId(Stack.APP, rid));
      }
      // sender A: its answers (errcode 0) come 1.5 s late, and then its Redis stalls past its leases
      toWeChat.replyDelay(Duration.ofMillis(1_500));
      Map<String, String> sender = Map.of("WECHAT_TIMEOUT", "2s", "TASK_LOCK", "15s", "SENDER_CONSUMERS", "1");
      Map<String, String> stalled = new HashMap<>(sender);
      stalled.put("REDIS_URL", "redis://127.0.0.1:" + toRedis.port());
      stalled.put("WECHAT_API_BASE", "http://127.0.0.1:" + toWeChat.port());
      stack.worker("sender", stalled);
      publishTasks(env, request, run, openIds);
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(10)).until(() -> stack.sim.deliveredCount() == openIds.size());
      toRedis.holdRequests(true);

      // sender B takes each task over (a second copy of it) once A's lease has run out: a prepay_id in doubt is unknown
      stack.worker("sender", sender);
      publishTasks(env, request, run, openIds);
      // (a copy A's consumer fetched ahead waits in A; the others B settles) — until B has nothing more to do
      Map<String, LedgerEntry.State> beforeRelease = new HashMap<>();
      await().atMost(Duration.ofSeconds(60)).until(() -> ledgerStates(stack, env, rid, openIds).containsValue(LedgerEntry.State.UNKNOWN));
      await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300)).until(() -> {
        Map<String, LedgerEntry.State> now = ledgerStates(stack, env, rid, openIds);
        boolean same = now.equals(beforeRelease);
        beforeRelease.clear();
        beforeRelease.putAll(now);
        return same;
      });
      JsonNode settled = stack.status(rid);
      toRedis.holdRequests(false); // A's writes of what it read arrive now

      Map<String, LedgerEntry.State> states = new HashMap<>();
      await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(300)).until(() -> {
        states.clear();
        states.putAll(ledgerStates(stack, env, rid, openIds));
        return states.values().stream().allMatch(s -> s == LedgerEntry.State.SENT);
      });
      System.out.printf("RESULT stalled-reads-zero settled=%s before_release=%s after=%s%n", settled.path("unknown").asLong(),
          counts(beforeRelease), counts(states));
      assertThat(beforeRelease.values()).as("B settled them unknown while A stalled").contains(LedgerEntry.State.UNKNOWN);
      for (String o : openIds) assertThat(stack.sim.inbox(Stack.APP, o)).as("delivered once: " + o).hasSize(1);
      awaitDone(stack, rid, Duration.ofSeconds(60));
      Map<String, String> outcomes = await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(300))
          .until(() -> stack.userOutcomes(rid, openIds), m -> m.values().stream().allMatch("s"::equals));
      assertThat(outcomes).hasSize(openIds.size());
      JsonNode status = stack.status(rid);
      assertThat(status.path("sent").asLong()).isEqualTo(openIds.size());
      assertThat(status.path("unknown").asLong()).isZero();
    }
  }

  private static void publishTasks(TestEnv env, PushRequest request, PushRun run, List<String> openIds) throws Exception {
    try (KafkaProducer<String, byte[]> producer = KafkaClients.durableProducer(env.kafkaBootstrapServers(), "tasks-" + UUID.randomUUID(), 30_000)) {
      for (String openId : openIds) {
        PushTask task = PushTask.of(request, openId, run);
        producer.send(new ProducerRecord<>(new Topics(env.topicPrefix()).pushTasks(), task.kafkaKey(), Json.write(task))).get();
      }
    }
  }
}
