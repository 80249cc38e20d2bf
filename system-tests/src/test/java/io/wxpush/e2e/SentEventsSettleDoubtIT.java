package io.wxpush.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.wxpush.testkit.RealServices;
import io.wxpush.testkit.TestEnv;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * WeChat's {@code subscribe_msg_sent_event} settles the doubt of a send whose answer was lost
 * (issue 30): the sim as WeChat pushes one for every subscribe message it delivers, also when it
 * then answers the send with a 502; the user's {@code unknown} send of that template becomes
 * {@code sent} (or {@code failed} for an ErrorCode ≠ 0) in the ledger and the push's counters, once.
 */
@ExtendWith(RealServices.class)
class SentEventsSettleDoubtIT {
  private static final String TOKEN = "pushtoken1";
  private static final String AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";
  private static final String TEMPLATE = "TPL_SUB";
  private Stack stack;

  @BeforeEach
  void start(TestEnv env) {
    stack = Stack.start(env, Map.of("WECHAT_APPS", Stack.APP + ":" + Stack.APP_SECRET + ":" + TOKEN + ":" + AES_KEY));
    stack.worker("credentials,fanout,sender", Map.of());
  }

  @AfterEach
  void stop() {
    stack.close();
  }

  /** WeChat pushes the app's events to ingest-api; {@code sentEvents} false: no sent event for a delivered message. */
  private void messagePush(boolean sentEvents) {
    stack.sim.configureMessagePush(Stack.APP, URI.create(stack.client.base() + "/v1/wechat/" + Stack.APP + "/events"), TOKEN, AES_KEY,
        "safe", "json", sentEvents);
  }

  private String push(List<String> openIds) throws Exception {
    return stack.push(Map.of("appId", Stack.APP, "kind", "subscribe", "templateId", TEMPLATE, "data", Map.of("thing1", "shipped"),
        "audience", Map.of("openIds", openIds)));
  }

  private JsonNode awaitDone(String rid) {
    return await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
        .until(() -> stack.status(rid), s -> "done".equals(s.path("state").asText()));
  }

  /** The msgid of the {@code n}th message (0 first) {@code openId} received. */
  private long msgid(String openId, int n) {
    return stack.sim.inbox(Stack.APP, openId).get(n).msgid();
  }

  private static String counts(JsonNode s) {
    return s.path("sent").asLong() + "/" + s.path("unknown").asLong() + "/" + s.path("failed").asLong() + " " + s.path("byReason");
  }

  @Test
  void withAQuarterOfAnswersLostBehindA502EveryInDoubtSendEndsSentOnceItsEventArrives() throws Exception {
    List<String> users = Stack.users("lost", 200);
    stack.seedGrants(users, TEMPLATE);
    messagePush(true);
    stack.sim.faults().gatewayErrorAfterDeliveryRate(0.25);

    String rid = push(users);
    awaitDone(rid);
    assertThat(stack.sim.answersLostCount()).as("answers lost behind a 502").isGreaterThan(20);

    JsonNode settled = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
        .until(() -> stack.status(rid), s -> s.path("unknown").asLong() == 0);
    assertThat(settled.path("sent").asLong()).as(counts(settled)).isEqualTo(users.size());
    long inboxes = 0;
    for (String u : users) inboxes += stack.sim.inbox(Stack.APP, u).size();
    assertThat(inboxes).as("the push's count is the sim's inboxes").isEqualTo(settled.path("sent").asLong());
    assertThat(stack.userOutcomes(rid, users).values()).as("every user recorded sent").containsOnly("s").hasSize(users.size());

    // WeChat (or Kafka) delivers every event again: nothing changes
    for (String u : users.subList(0, 100)) stack.sim.failDelivered(Stack.APP, u, msgid(u, 0), 0, 1);
    Stack.staysTrue(Duration.ofSeconds(4), () -> counts(stack.status(rid)).equals(counts(settled)));
  }

  @Test
  void aFailureEventSettlesAnUnknownSendFailedAndOneEventSettlesOnlyTheOldestOfTwoUnknowns() throws Exception {
    List<String> users = Stack.users("two", 4);
    messagePush(false); // no event unless the test sends one
    stack.sim.faults().gatewayErrorAfterDeliveryRate(1.0);
    stack.seedGrants(users, TEMPLATE);
    String first = push(users);
    JsonNode one = awaitDone(first);
    assertThat(one.path("unknown").asLong()).as(counts(one)).isEqualTo(4);
    stack.seedGrants(users, TEMPLATE);
    String second = push(users);
    JsonNode two = awaitDone(second);
    assertThat(two.path("unknown").asLong()).as(counts(two)).isEqualTo(4);

    // two0: WeChat delivered the second push's message; one event settles the oldest unknown send only
    stack.sim.failDelivered(Stack.APP, "two0", msgid("two0", 1), 0, 2);
    await().atMost(Duration.ofSeconds(30)).until(() -> stack.status(first).path("sent").asLong() == 1);
    Stack.staysTrue(Duration.ofSeconds(3), () -> stack.status(first).path("sent").asLong() == 1
        && stack.status(second).path("unknown").asLong() == 4);
    // two1: a late failure of a message whose answer was lost
    stack.sim.failDelivered(Stack.APP, "two1", msgid("two1", 0), 10005, 3);
    await().atMost(Duration.ofSeconds(30)).until(() -> stack.status(first).path("failed").asLong() == 1);
    JsonNode failed = stack.status(first);
    assertThat(failed.path("byReason").path("async_10005").asLong()).as(counts(failed)).isEqualTo(1);
    assertThat(failed.path("unknown").asLong()).as(counts(failed)).isEqualTo(2);
    assertThat(stack.userOutcomes(first, List.of("two0", "two1"))).isEqualTo(Map.of("two0", "s", "two1", "f"));
    // the same event again (WeChat's retry, Kafka's redelivery) settles nothing more: not the second push's send
    stack.sim.failDelivered(Stack.APP, "two0", msgid("two0", 1), 0, 1);
    stack.sim.failDelivered(Stack.APP, "two1", msgid("two1", 0), 10005, 1);
    Stack.staysTrue(Duration.ofSeconds(4), () -> counts(stack.status(first)).equals(counts(failed))
        && stack.status(second).path("unknown").asLong() == 4);
    // two0's other message: its second event settles the second push's send
    stack.sim.failDelivered(Stack.APP, "two0", msgid("two0", 0), 0, 1);
    await().atMost(Duration.ofSeconds(30)).until(() -> stack.status(second).path("sent").asLong() == 1);
    assertThat(stack.status(second).path("unknown").asLong()).isEqualTo(3);
  }
}
