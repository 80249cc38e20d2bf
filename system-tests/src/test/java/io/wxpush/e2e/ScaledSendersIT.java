package io.wxpush.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.wxpush.json.Json;
import io.wxpush.kafka.KafkaClients;
import io.wxpush.kafka.Topics;
import io.wxpush.sim.SimTemplate;
import io.wxpush.testkit.ApiClient;
import io.wxpush.testkit.JarProcess;
import io.wxpush.testkit.RealServices;
import io.wxpush.testkit.TestEnv;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Sender processes scale out without coordination, and a crashed one loses nobody. */
@ExtendWith(RealServices.class)
class ScaledSendersIT {
  private static final Pattern SENT = Pattern.compile("^wxpush_sends_total\\{[^}]*outcome=\"sent\"[^}]*} ([0-9.E]+)", Pattern.MULTILINE);
  private Stack stack;
  private final List<JarProcess> senders = new ArrayList<>();

  @BeforeEach
  void start(TestEnv env) {
    stack = Stack.start(env, Map.of());
    stack.sim.registerTemplate(new SimTemplate(Stack.APP, "TPL_ORDER", SimTemplate.Kind.TEMPLATE, List.of("keyword1"), Set.of()));
  }

  @AfterEach
  void stop() throws Exception {
    for (JarProcess p : senders) p.close();
    stack.close();
  }

  private JarProcess sender(int port, Map<String, String> extra) throws Exception {
    JarProcess p = stack.senderProcess(port, extra);
    senders.add(p);
    return p;
  }

  private static double sentBy(int port) {
    try {
      Matcher m = SENT.matcher(ApiClient.local(port).metrics());
      return m.find() ? Double.parseDouble(m.group(1)) : 0;
    } catch (Exception e) {
      return 0;
    }
  }

  private static List<String> users(int n) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n; i++) out.add("s" + i);
    return out;
  }

  private JsonNode broadcast(List<String> openIds, Duration limit) throws Exception {
    String rid = stack.push(Map.of("appId", Stack.APP, "kind", "template", "templateId", "TPL_ORDER",
        "data", Map.of("keyword1", "hello"), "audience", Map.of("all", true)));
    return await().atMost(limit).pollInterval(Duration.ofMillis(500)).until(() -> stack.status(rid), s -> "done".equals(s.path("state").asText()));
  }

  @Test
  void twoSenderProcessesShareTheTasksAndTheOutcomeIsExact() throws Exception {
    List<String> openIds = users(2_000);
    stack.seedFormIds(openIds, 1, System.currentTimeMillis());
    stack.sim.faults().latency(Duration.ofMillis(20), Duration.ZERO);
    int portA = Stack.freePort();
    int portB = Stack.freePort();
    sender(portA, Map.of("SENDER_CONCURRENCY", "32"));
    sender(portB, Map.of("SENDER_CONCURRENCY", "32"));
    await().atMost(Duration.ofSeconds(60)).until(() -> Stack.healthy(portA) && Stack.healthy(portB));
    stack.worker("fanout", Map.of());

    JsonNode status = broadcast(openIds, Duration.ofSeconds(120));

    assertThat(status.get("sent").asLong()).isEqualTo(2_000);
    for (String o : openIds) assertThat(stack.sim.inbox(Stack.APP, o)).as(o).hasSize(1);
    assertThat(sentBy(portA)).as("sends by the first process").isPositive();
    assertThat(sentBy(portB)).as("sends by the second process").isPositive();
    assertThat(sentBy(portA) + sentBy(portB)).isEqualTo(2_000);
  }

  @Test
  void aSenderKilledMidBroadcastLeavesNoUserMissedAndNoneTwice() throws Exception {
    List<String> openIds = users(3_000);
    stack.seedFormIds(openIds, 2, System.currentTimeMillis());
    stack.sim.faults().latency(Duration.ofMillis(40), Duration.ZERO);
    int portA = Stack.freePort();
    int portB = Stack.freePort();
    JarProcess a = sender(portA, Map.of("SENDER_CONCURRENCY", "16"));
    sender(portB, Map.of("SENDER_CONCURRENCY", "16"));
    await().atMost(Duration.ofSeconds(60)).until(() -> Stack.healthy(portA) && Stack.healthy(portB));
    stack.worker("fanout", Map.of());
    String rid = stack.push(Map.of("appId", Stack.APP, "kind", "template", "templateId", "TPL_ORDER",
        "data", Map.of("keyword1", "hello"), "audience", Map.of("all", true)));

    await().atMost(Duration.ofSeconds(60)).until(() -> stack.sim.deliveredCount() > 600);
    a.kill(); // SIGKILL: tasks it held come back to the group when their locks expire
    long atKill = stack.sim.deliveredCount();
    assertThat(atKill).as("killed mid-broadcast").isLessThan(3_000);

    JsonNode status = await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(500))
        .until(() -> stack.status(rid), s -> "done".equals(s.path("state").asText()));
    assertThat(status.get("sent").asLong()).isEqualTo(3_000);
    assertThat(status.get("unknown").asLong()).isZero();
    for (String o : openIds) assertThat(stack.sim.inbox(Stack.APP, o)).as(o).hasSize(1);
    assertThat(stack.sim.deliveredCount()).isEqualTo(3_000);
  }

  @Test
  void classicConsumerGroupModeDeliversExactlyToo() throws Exception {
    List<String> openIds = users(500);
    stack.seedFormIds(openIds, 1, System.currentTimeMillis());
    stack.worker("fanout,sender", Map.of("SENDER_MODE", "classic"));
    JsonNode status = broadcast(openIds, Duration.ofSeconds(90));
    assertThat(status.get("sent").asLong()).isEqualTo(500);
    for (String o : openIds) assertThat(stack.sim.inbox(Stack.APP, o)).as(o).hasSize(1);
  }

  @Test
  void classicModeGivesATaskThatKeepsFailingUpIntoTheDlqAfterTaskMaxDeliveries() throws Exception {
    List<String> openIds = users(20);
    stack.seedFormIds(openIds, 1, System.currentTimeMillis());
    stack.sim.faults().systemErrorRate(1.0); // WeChat busy for good: every try fails, none spends anything
    // one WeChat call of at most 1 s plus its ledger steps fits a 4 s task budget twice: each
    // delivery hands the task back after two tries, and the third gives up into the DLQ
    stack.worker("fanout,sender", Map.of("SENDER_MODE", "classic", "TASK_LOCK", "6s", "WECHAT_TIMEOUT", "1s",
        "TASK_MAX_DELIVERIES", "3", "SEND_MAX_ATTEMPTS", "20"));

    JsonNode status = broadcast(openIds, Duration.ofSeconds(120));

    assertThat(status.get("failed").asLong()).isEqualTo(20);
    assertThat(status.get("byReason").path("redelivered_3_times").asLong()).isEqualTo(20);
    assertThat(dlqRecords()).hasSize(20).allSatisfy(r -> assertThat(r.path("reason").asText()).isEqualTo("redelivered_3_times"));
    for (String o : openIds) assertThat(stack.sendsLeft(o)).as("the form_id of " + o + " is back in its pool").isEqualTo(1);
    assertThat(stack.sim.deliveredCount()).isZero();
  }

  private List<JsonNode> dlqRecords() throws Exception {
    List<JsonNode> out = new ArrayList<>();
    try (var consumer = KafkaClients.manualCommitConsumer(stack.env.kafkaBootstrapServers(), stack.env.group("dlq-reader"),
        "dlq-reader", 500)) {
      consumer.subscribe(List.of(new Topics(stack.env.topicPrefix()).pushDlq()));
      await().atMost(Duration.ofSeconds(30)).until(() -> {
        for (var r : consumer.poll(Duration.ofMillis(500))) out.add(Json.MAPPER.readTree(r.value()));
        return out.size() >= 20;
      });
    }
    return out;
  }
}
