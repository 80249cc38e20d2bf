package io.wxpush.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.wxpush.sim.SimMessage;
import io.wxpush.sim.SimTemplate;
import io.wxpush.testkit.ApiClient;
import io.wxpush.testkit.RealServices;
import io.wxpush.testkit.TestEnv;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A push's life after acceptance (BRIEF §3, v2): cancelled mid-way, scheduled, listed. */
@ExtendWith(RealServices.class)
class PushLifecycleIT {
  private static final Duration SIM_LATENCY = Duration.ofMillis(100);

  private static List<String> users(String prefix, int n) {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) ids.add(prefix + i);
    return ids;
  }

  private static Map<String, Object> broadcast() {
    return Map.of("appId", Stack.APP, "kind", "template", "templateId", "TPL_ORDER", "data", Map.of("keyword1", "sale"),
        "audience", Map.of("all", true));
  }

  @Test
  void aCancelledBroadcastStartsNoSendAfterTheAnswerAndKeepsTheUnspentCredentials(TestEnv env) throws Exception {
    try (Stack stack = Stack.start(env, Map.of())) {
      stack.sim.registerTemplate(new SimTemplate(Stack.APP, "TPL_ORDER", SimTemplate.Kind.TEMPLATE, List.of("keyword1"), Set.of()));
      List<String> openIds = users("cx", 300);
      stack.seedFormIds(openIds, 2, System.currentTimeMillis());
      stack.sim.faults().latency(SIM_LATENCY, Duration.ZERO);
      stack.worker("fanout,sender", Map.of("SENDER_CONCURRENCY", "8", "FANOUT_PAGE", "50"));
      String rid = stack.push(broadcast());
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).until(() -> stack.status(rid).path("sent").asLong() >= 20);

      ApiClient.Reply cancel = stack.client.send("DELETE", "/v1/pushes/" + rid, Map.of("Authorization", "Bearer " + Stack.API_KEY), null);
      Instant answered = Instant.now();
      assertThat(cancel.status()).as(cancel.text()).isEqualTo(202);

      JsonNode status = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
          .until(() -> stack.status(rid), s -> "cancelled".equals(s.path("state").asText()));
      long sent = status.path("sent").asLong();
      long cancelled = status.path("cancelled").asLong();
      assertThat(cancelled).as("tasks not sent count cancelled").isPositive();
      assertThat(sent + cancelled + status.path("noCredential").asLong() + status.path("failed").asLong() + status.path("unknown").asLong())
          .as("counts add up: " + status).isEqualTo(status.path("targets").asLong());
      assertThat(status.path("pending").asLong()).isZero();

      long delivered = 0;
      for (String openId : openIds) {
        for (SimMessage m : stack.sim.inbox(Stack.APP, openId)) {
          delivered++;
          // a send started before the answer may land up to its latency after it
          assertThat(m.at()).as("delivery to " + openId).isBefore(answered.plus(SIM_LATENCY).plusMillis(400));
        }
      }
      assertThat(delivered).isEqualTo(sent);
      long left = openIds.stream().mapToLong(stack::sendsLeft).sum();
      assertThat(left).as("unspent credentials stay in the pools").isEqualTo(2L * openIds.size() - sent);

      ApiClient.Reply again = stack.client.send("DELETE", "/v1/pushes/" + rid, Map.of("Authorization", "Bearer " + Stack.API_KEY), null);
      assertThat(again.status()).isEqualTo(409);
      ApiClient.Reply unknown = stack.client.send("DELETE", "/v1/pushes/nope-" + rid, Map.of("Authorization", "Bearer " + Stack.API_KEY), null);
      assertThat(unknown.status()).isEqualTo(404);
    }
  }
}
