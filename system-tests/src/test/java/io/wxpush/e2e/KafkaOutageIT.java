package io.wxpush.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.wxpush.sim.SimTemplate;
import io.wxpush.testkit.ApiClient;
import io.wxpush.testkit.PrivateService;
import io.wxpush.testkit.RealServices;
import io.wxpush.testkit.TestEnv;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Uploads while the Kafka broker is down are refused with 503, never acknowledged and lost. */
@ExtendWith(RealServices.class)
class KafkaOutageIT {

  @Test
  void uploadsAnswer503WhileKafkaIsDownAndEveryAcknowledgedOneReachesRedis(TestEnv env) throws Exception {
    try (PrivateService kafka = PrivateService.kafka();
        Stack stack = Stack.start(env, Map.of("KAFKA_BOOTSTRAP_SERVERS", kafka.address()))) {
      stack.worker("credentials", Map.of("KAFKA_BOOTSTRAP_SERVERS", kafka.address()));
      Map<String, Integer> acknowledged = new HashMap<>(); // openId -> form_ids acknowledged with 202
      List<String> users = new ArrayList<>();
      Map<String, String> tokens = new HashMap<>();
      for (int i = 0; i < 20; i++) {
        String openId = "o-outage-" + i;
        users.add(openId);
        tokens.put(openId, stack.login(openId));
      }

      for (String openId : users.subList(0, 10)) upload(stack, tokens, acknowledged, openId, 200);

      kafka.stop();
      for (String openId : users.subList(10, 15)) {
        long started = System.nanoTime();
        ApiClient.Reply reply = upload(stack, tokens, acknowledged, openId, 503);
        long tookMs = (System.nanoTime() - started) / 1_000_000;
        assertThat(tookMs).as("503 within 10 s").isLessThan(10_000);
        assertThat(reply.raw().headers().firstValue("Retry-After")).isPresent();
        assertThat(reply.errorCode()).isEqualTo("unavailable");
      }

      kafka.restart();
      // The client retries what got 503, as the mini-program library does, until Kafka is back.
      for (String openId : users.subList(10, 20)) {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
            .until(() -> upload(stack, tokens, acknowledged, openId, 0).status() == 202);
      }

      assertThat(acknowledged).hasSize(20);
      for (var entry : acknowledged.entrySet()) {
        await().atMost(Duration.ofSeconds(60)).until(
            () -> stack.client.userCredentials(Stack.API_KEY, Stack.APP, entry.getKey()).body().path("formIds").asInt(),
            n -> n == entry.getValue());
      }
    }
  }

  /**
   * A push answered 503 because the broker stalled (its record may still reach Kafka once the
   * broker is back: the producer keeps it) is sent once to everyone by the client's retry with the
   * same requestId, which the API publishes again (BRIEF rule 1, v2).
   */
  @Test
  void aPushAnswered503WhileKafkaIsDownIsSentOnceToEveryoneByItsRetry(TestEnv env) throws Exception {
    try (PrivateService kafka = PrivateService.kafka();
        Stack stack = Stack.start(env, Map.of("KAFKA_BOOTSTRAP_SERVERS", kafka.address(), "KAFKA_ACK_TIMEOUT", "2s"))) {
      stack.sim.registerTemplate(new SimTemplate(Stack.APP, "TPL_ORDER", SimTemplate.Kind.TEMPLATE,
          List.of("keyword1"), Set.of()));
      List<String> openIds = Stack.users("o-stall-", 20);
      stack.seedFormIds(openIds, 2, System.currentTimeMillis());
      stack.worker("fanout,sender", Map.of("KAFKA_BOOTSTRAP_SERVERS", kafka.address()));
      Map<String, Object> push = Map.of("requestId", "stalled-" + UUID.randomUUID(), "appId", Stack.APP, "kind", "template",
          "templateId", "TPL_ORDER", "data", Map.of("keyword1", "hi"), "audience", Map.of("openIds", openIds));
      String rid = (String) push.get("requestId");

      kafka.stop();
      ApiClient.Reply refused = stack.client.push(Stack.API_KEY, push);
      assertThat(refused.status()).as(refused.text()).isEqualTo(503);
      assertThat(stack.status(rid).path("state").asText()).as("its status says it is not known to be sent").isEqualTo("accepted");

      kafka.restart();
      ApiClient.Reply retried = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
          .until(() -> stack.client.push(Stack.API_KEY, push), r -> r.status() == 202);
      assertThat(retried.header("Idempotent-Replayed")).contains("true");
      stack.awaitState(rid, "done");
      Stack.staysTrue(Duration.ofSeconds(2), () -> openIds.stream().allMatch(o -> stack.sim.inbox(Stack.APP, o).size() == 1));
      assertThat(stack.status(rid).path("sent").asLong()).isEqualTo(openIds.size());
    }
  }

  /** Uploads two fresh form_ids; records them as acknowledged on 202. expect 0 = any status. */
  private static ApiClient.Reply upload(Stack stack, Map<String, String> tokens, Map<String, Integer> acked, String openId, int expect) throws Exception {
    List<String> formIds = stack.sim.mintFormIds(Stack.APP, openId, 2);
    long now = System.currentTimeMillis();
    ApiClient.Reply reply = stack.client.uploadCredentials(tokens.get(openId), List.of(
        ApiClient.credential("form_id", formIds.get(0), now), ApiClient.credential("form_id", formIds.get(1), now)));
    if (expect == 200) assertThat(reply.status()).isEqualTo(202);
    if (expect == 503) assertThat(reply.status()).isEqualTo(503);
    if (reply.status() == 202) acked.merge(openId, 2, Integer::sum);
    return reply;
  }
}
