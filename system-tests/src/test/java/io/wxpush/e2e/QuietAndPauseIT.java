package io.wxpush.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.wxpush.json.Json;
import io.wxpush.sim.RecordedRequest;
import io.wxpush.testkit.RealServices;
import io.wxpush.testkit.TestEnv;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 28, the smaller ones: quiet hours are checked before every attempt, not only when a task
 * starts — a task retrying 45011 answers when the app's quiet window begins is held (its grant kept
 * claimed) instead of sending into the window, and is sent once when the window ends.
 */
@ExtendWith(RealServices.class)
class QuietAndPauseIT {
  private static final String SEND_PATH = "message/subscribe/send";

  private static String hhmm(Instant t) {
    LocalTime local = t.atZone(ZoneOffset.UTC).toLocalTime();
    return String.format("%02d:%02d", local.getHour(), local.getMinute());
  }

  private static void putQuietHours(Stack stack, Map<String, Object> quietHours) throws Exception {
    Map<String, Object> policy = new HashMap<>();
    policy.put("quietHours", quietHours);
    policy.put("maxPerUserPerDay", null);
    policy.put("reserveLast", false);
    stack.client.send("PUT", "/v1/apps/" + Stack.APP + "/policy", Map.of("Authorization", "Bearer " + Stack.API_KEY,
        "Content-Type", "application/json"), Json.writeString(policy).getBytes(StandardCharsets.UTF_8)).expect(200);
  }

  /** When each send request reached the sim. */
  private static List<Instant> sends(Stack stack) {
    return stack.sim.requests().stream().filter(r -> r.path().contains(SEND_PATH)).map(RecordedRequest::receivedAt).toList();
  }

  @Test
  void aRetryWaitingOutA45011ThatRunsIntoQuietHoursIsHeldAndSentWhenTheWindowEnds(TestEnv env) throws Exception {
    // a short WeChat time-out: 45011 pauses of 1, 2 and 4 s all fit in one delivery's lock
    try (Stack stack = Stack.start(env, Map.of("WECHAT_TIMEOUT", "3s"))) {
      String openId = "quiet-retry-0";
      stack.seedGrants(List.of(openId), "TPL_SUB");
      stack.worker("fanout,sender", Map.of());

      // quiet hours (minutes, UTC) from the next minute at least 9 s away; every process sees the PUT within 2 s
      Instant now = Instant.now();
      Instant quietStarts = now.truncatedTo(ChronoUnit.MINUTES).plus(1, ChronoUnit.MINUTES);
      if (Duration.between(now, quietStarts).compareTo(Duration.ofSeconds(9)) < 0) quietStarts = quietStarts.plus(1, ChronoUnit.MINUTES);
      putQuietHours(stack, Map.of("from", hhmm(quietStarts), "to", hhmm(quietStarts.plus(2, ChronoUnit.MINUTES)), "zone", "UTC"));
      stack.sim.faults().rateLimitFor(Duration.ofMinutes(3)); // WeChat answers 45011 to every send until cleared

      // pushed 6 s before the window: 45011 at once, then retries after 1, 2 and 4 s — the last one inside it
      Instant pushAt = quietStarts.minusSeconds(6);
      await().atMost(Duration.ofSeconds(75)).pollInterval(Duration.ofMillis(50)).until(() -> !Instant.now().isBefore(pushAt));
      String rid = stack.push(Map.of("appId", Stack.APP, "kind", "subscribe", "templateId", "TPL_SUB",
          "data", Map.of("thing1", "hi"), "audience", Map.of("openIds", List.of(openId))));

      JsonNode held = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
          .until(() -> stack.status(rid), s -> s.hasNonNull("resumesAt") || s.path("final").asBoolean());
      Instant windowStart = quietStarts;
      assertThat(sends(stack)).as("the task was retrying 45011 answers before the window began")
          .anyMatch(t -> t.isBefore(windowStart));
      assertThat(sends(stack)).as("no send reached WeChat inside quiet hours (window from " + windowStart + ")")
          .noneMatch(t -> !t.isBefore(windowStart));
      assertThat(held.path("state").asText()).as(held.toString()).isEqualTo("sending");
      assertThat(held.hasNonNull("resumesAt")).as("held until the window ends: " + held).isTrue();
      assertThat(held.path("final").asBoolean()).isFalse();
      Stack.staysTrue(Duration.ofSeconds(2), () -> sends(stack).stream().noneMatch(t -> !t.isBefore(windowStart)));

      // the window ends (the policy removed) and WeChat answers again: the held user is sent once
      stack.sim.faults().clear();
      Instant windowEnds = Instant.now();
      putQuietHours(stack, null);
      JsonNode done = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
          .until(() -> stack.status(rid), s -> "done".equals(s.path("state").asText()) && !s.hasNonNull("resumesAt"));
      assertThat(done.path("sent").asLong()).as(done.toString()).isEqualTo(1);
      assertThat(done.path("unknown").asLong()).as("the grant was held claimed, not left in flight: " + done).isZero();
      assertThat(stack.sim.inbox(Stack.APP, openId)).hasSize(1);
      assertThat(sends(stack)).as("nothing sent between the window's start and its end")
          .noneMatch(t -> !t.isBefore(windowStart) && t.isBefore(windowEnds));
    }
  }
}
