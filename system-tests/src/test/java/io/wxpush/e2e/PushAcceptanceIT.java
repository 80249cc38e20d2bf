package io.wxpush.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.wxpush.json.Json;
import io.wxpush.kafka.KafkaClients;
import io.wxpush.kafka.Topics;
import io.wxpush.client.PushRequest;
import io.wxpush.push.PushRequestParser;
import io.wxpush.push.PushStatusStore;
import io.wxpush.redis.RedisKeys;
import io.wxpush.sim.SimTemplate;
import io.wxpush.testkit.ApiClient;
import io.wxpush.testkit.RealServices;
import io.wxpush.testkit.TestEnv;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A push's acceptance (BRIEF §3 and rule 1, v2): a requestId is one push whatever is retried or
 * raced, another body under it is refused, a push accepted but never published is published by
 * its retry, listed audiences go up to 10,000, and a request the fan-out cannot process goes to
 * the DLQ while the partition moves on.
 */
@ExtendWith(RealServices.class)
class PushAcceptanceIT {
  private static Map<String, Object> push(String rid, List<String> openIds, String word) {
    Map<String, Object> body = new HashMap<>(Map.of("appId", Stack.APP, "kind", "template", "templateId", "TPL_ORDER",
        "data", Map.of("keyword1", word), "audience", Map.of("openIds", openIds)));
    body.put("requestId", rid);
    return body;
  }

  private static JsonNode awaitDone(Stack stack, String rid) {
    return stack.awaitState(rid, "done");
  }

  private static void everyoneOnce(Stack stack, List<String> openIds) {
    for (String openId : openIds) assertThat(stack.sim.inbox(Stack.APP, openId)).as("messages to " + openId).hasSize(1);
  }

  @Test
  void aRequestIdIsOnePushWhateverIsRepeatedOrRacedAndAnotherBodyUnderItIsRefused(TestEnv env) throws Exception {
    try (Stack stack = Stack.start(env, Map.of())) {
      stack.sim.registerTemplate(new SimTemplate(Stack.APP, "TPL_ORDER", SimTemplate.Kind.TEMPLATE, List.of("keyword1"), Set.of()));
      List<String> openIds = Stack.users("acc", 30);
      stack.seedFormIds(openIds, 2, System.currentTimeMillis());
      stack.worker("fanout,sender", Map.of());

      String rid = "order-" + UUID.randomUUID();
      ApiClient.Reply first = stack.client.push(Stack.API_KEY, push(rid, openIds, "shipped")).expect(202);
      assertThat(first.header("Idempotent-Replayed")).isEmpty();
      ApiClient.Reply again = stack.client.push(Stack.API_KEY, push(rid, openIds, "shipped")).expect(202);
      assertThat(again.header("Idempotent-Replayed")).contains("true");
      ApiClient.Reply other = stack.client.push(Stack.API_KEY, push(rid, openIds, "cancelled"));
      assertThat(other.status()).isEqualTo(409);
      assertThat(other.errorCode()).isEqualTo("request_id_conflict");

      // 20 identical requests at once, under a fresh requestId: one push
      String raced = "race-" + UUID.randomUUID();
      List<Future<ApiClient.Reply>> replies = new ArrayList<>();
      try (var threads = Executors.newFixedThreadPool(20)) {
        for (int i = 0; i < 20; i++) {
          Callable<ApiClient.Reply> call = () -> stack.client.push(Stack.API_KEY, push(raced, openIds, "raced"));
          replies.add(threads.submit(call));
        }
      }
      for (Future<ApiClient.Reply> r : replies) assertThat(r.get().status()).isEqualTo(202);

      for (String id : List.of(rid, raced)) {
        JsonNode status = awaitDone(stack, id);
        assertThat(status.path("targets").asLong()).as(id).isEqualTo(openIds.size());
        assertThat(status.path("sent").asLong()).as(id).isEqualTo(openIds.size());
      }
      for (String openId : openIds) {
        List<String> words = stack.sim.inbox(Stack.APP, openId).stream().map(m -> m.data().get("keyword1")).toList();
        assertThat(words).as("messages to " + openId).containsExactlyInAnyOrder("shipped", "raced");
      }
    }
  }

  @Test
  void aPushAcceptedButNeverPublishedIsPublishedByItsRetryAndDeliveredOnce(TestEnv env) throws Exception {
    try (Stack stack = Stack.start(env, Map.of())) {
      stack.sim.registerTemplate(new SimTemplate(Stack.APP, "TPL_ORDER", SimTemplate.Kind.TEMPLATE, List.of("keyword1"), Set.of()));
      List<String> openIds = Stack.users("die", 20);
      stack.seedFormIds(openIds, 2, System.currentTimeMillis());
      stack.worker("fanout,sender", Map.of());
      String rid = "died-" + UUID.randomUUID();
      // as an API process that accepted the push and died before Kafka had it: the marker says publishing
      PushRequest request = ((PushRequestParser.Valid) new PushRequestParser(Set.of(Stack.APP))
          .parse(Json.MAPPER.valueToTree(push(rid, openIds, "late")))).request();
      try (var redis = stack.redis()) {
        var store = new PushStatusStore(redis, new RedisKeys(env.redisKeyPrefix()), Clock.systemUTC());
        assertThat(store.accept(request)).isEqualTo(PushStatusStore.Acceptance.NEW);
      }
      assertThat(stack.status(rid).path("state").asText()).isEqualTo("accepted");

      ApiClient.Reply retried = stack.client.push(Stack.API_KEY, push(rid, openIds, "late")).expect(202);
      assertThat(retried.header("Idempotent-Replayed")).contains("true");
      stack.client.push(Stack.API_KEY, push(rid, openIds, "late")).expect(202);
      awaitDone(stack, rid);
      Stack.staysTrue(Duration.ofSeconds(1), () -> openIds.stream().allMatch(o -> stack.sim.inbox(Stack.APP, o).size() == 1));
    }
  }

  @Test
  void aReplayOfAnAcceptedPushIsAnswered202EvenAfterItsTemplateHasGoneAndAnotherBodyStill409(TestEnv env) throws Exception {
    try (Stack stack = Stack.start(env, Map.of())) {
      List<String> users = Stack.users("gone", 2);
      stack.seedGrants(users, "TPL_OTHER");
      stack.worker("fanout,sender", Map.of());
      stack.sim.removeTemplate(Stack.APP, "TPL_OTHER");
      String rid = "gone-" + UUID.randomUUID();
      Map<String, Object> body = new HashMap<>(Map.of("requestId", rid, "appId", Stack.APP, "kind", "subscribe", "templateId", "TPL_OTHER",
          "data", Map.of("thing1", "hi"), "audience", Map.of("openIds", users)));
      stack.client.push(Stack.API_KEY, body).expect(202); // the template list still has it
      await("a send meets the template's removal (40037)").atMost(Duration.ofSeconds(60))
          .until(() -> stack.status(rid), s -> s.path("byReason").path("40037").asLong() > 0);
      Map<String, Object> fresh = new HashMap<>(body);
      fresh.put("requestId", "gone-" + UUID.randomUUID());
      await().atMost(Duration.ofSeconds(30)).until(() -> stack.client.push(Stack.API_KEY, fresh).status() == 400); // a new push: refused

      ApiClient.Reply replay = stack.client.push(Stack.API_KEY, body);
      assertThat(replay.status()).as(replay.text()).isEqualTo(202);
      assertThat(replay.header("Idempotent-Replayed")).contains("true");
      Map<String, Object> changed = new HashMap<>(body);
      changed.put("data", Map.of("thing1", "changed"));
      ApiClient.Reply conflict = stack.client.push(Stack.API_KEY, changed);
      assertThat(conflict.status()).isEqualTo(409);
      assertThat(conflict.errorCode()).isEqualTo("request_id_conflict");
    }
  }

  @Test
  void aListedAudienceOfTenThousandIsAccepted(TestEnv env) throws Exception {
    try (Stack stack = Stack.start(env, Map.of())) {
      List<String> openIds = new ArrayList<>();
      for (int i = 0; i < PushRequestParser.MAX_LISTED; i++) openIds.add(String.format("oWx8Z5%022d", i)); // 28 characters, as WeChat's
      String rid = "big-" + UUID.randomUUID();
      ApiClient.Reply reply = stack.client.push(Stack.API_KEY, push(rid, openIds, "hi"));
      assertThat(reply.status()).as(reply.text()).isEqualTo(202);
      openIds.add("oWx8Z5-one-too-many");
      ApiClient.Reply tooMany = stack.client.push(Stack.API_KEY, push("big-" + UUID.randomUUID(), openIds, "hi"));
      assertThat(tooMany.status()).isEqualTo(400);
      assertThat(tooMany.errorCode()).isEqualTo("invalid_push");
      // an upload keeps its own, smaller limit
      ApiClient.Reply upload = stack.client.send("POST", "/v1/credentials", Map.of("Authorization", "Bearer " + stack.login("o-big"),
          "Content-Type", "application/json"), new byte[128 * 1024]);
      assertThat(upload.status()).isEqualTo(413);
      assertThat(upload.errorCode()).isEqualTo("body_too_large");
    }
  }

  @Test
  void aPushRequestTheFanOutCannotProcessGoesToTheDlqAndThePartitionMovesOn(TestEnv env) throws Exception {
    try (Stack stack = Stack.start(env, Map.of())) {
      stack.sim.registerTemplate(new SimTemplate(Stack.APP, "TPL_ORDER", SimTemplate.Kind.TEMPLATE, List.of("keyword1"), Set.of()));
      List<String> openIds = Stack.users("poi", 5);
      stack.seedFormIds(openIds, 1, System.currentTimeMillis());
      Topics topics = new Topics(env.topicPrefix());
      String poison = "poison-" + UUID.randomUUID();
      String good = "good-" + UUID.randomUUID();
      Map<String, Object> bad = push(poison, openIds, "x");
      bad.put("audience", null);
      bad.put("v", 1);
      Map<String, Object> fine = push(good, openIds, "after");
      fine.put("v", 1);
      stack.worker("fanout,sender", Map.of()); // creates the topics
      try (KafkaProducer<String, byte[]> producer = KafkaClients.durableProducer(env.kafkaBootstrapServers(), "poison-test", 30_000)) {
        producer.send(new ProducerRecord<>(topics.pushRequests(), 0, poison, Json.write(bad))).get();
        producer.send(new ProducerRecord<>(topics.pushRequests(), 0, good, Json.write(fine))).get();
      }
      awaitDone(stack, good);
      everyoneOnce(stack, openIds);
      JsonNode failed = await().atMost(Duration.ofSeconds(30)).until(() -> stack.status(poison), s -> "failed".equals(s.path("state").asText()));
      assertThat(failed.path("reason").asText()).startsWith("invalid_request");

      try (KafkaConsumer<String, byte[]> dlq = KafkaClients.manualCommitConsumer(env.kafkaBootstrapServers(), "dlq-reader-" + UUID.randomUUID(),
          "dlq-reader", 100)) {
        List<TopicPartition> parts = dlq.partitionsFor(topics.pushDlq()).stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        dlq.assign(parts);
        dlq.seekToBeginning(parts);
        JsonNode record = await().atMost(Duration.ofSeconds(20)).until(() -> {
          for (ConsumerRecord<String, byte[]> r : dlq.poll(Duration.ofMillis(500))) {
            JsonNode n = Json.MAPPER.readTree(r.value());
            if (poison.equals(n.path("requestId").asText())) return n;
          }
          return null;
        }, Objects::nonNull);
        assertThat(record.path("reason").asText()).startsWith("invalid_request");
        assertThat(record.path("request").asText()).contains(poison);
      }
    }
  }
}
