package io.wxpush.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.wxpush.user.UserRef;
import java.util.List;
import java.util.Map;

/** The promises of wxpush, checked against the sim's inboxes and counters and Redis. */
final class Invariants {
  private Invariants() {}

  /** Every credential acknowledged with 202 is in its user's pool (before anything spends them). */
  static void nothingAcknowledgedLost(Stack stack, Map<String, Integer> acked) {
    try (var redis = stack.redis()) {
      var pool = stack.pool(redis);
      for (var e : acked.entrySet()) {
        assertThat(pool.inspect(new UserRef(Stack.APP, e.getKey())).formIds()).as("form_ids of " + e.getKey()).isEqualTo(e.getValue());
      }
    }
  }

  /**
   * After a push to {@code openIds} (each with a credential): nobody got two messages; every
   * user counted {@code sent} has exactly one and every user with one is {@code sent} or
   * {@code unknown}; {@code unknown} is no more than the sends whose answer the sim lost;
   * nobody is pending.
   */
  static void exactlyOnce(Stack stack, JsonNode status, List<String> openIds) {
    exactlyOnce(stack, status, openIds, 0);
  }

  /** As above, allowing {@code otherDoubts} more {@code unknown} (sends a stopped process may have made). */
  static void exactlyOnce(Stack stack, JsonNode status, List<String> openIds, long otherDoubts) {
    long withMessage = 0;
    Map<String, String> outcomes = stack.userOutcomes(status.get("requestId").asText(), openIds);
    for (String openId : openIds) {
      int n = stack.sim.inbox(Stack.APP, openId).size();
      assertThat(n).as("messages to " + openId).isLessThanOrEqualTo(1);
      String outcome = outcomes.get(openId);
      if ("s".equals(outcome)) assertThat(n).as("sent to " + openId + " means delivered").isEqualTo(1);
      if (n == 1) assertThat(outcome).as("outcome of " + openId + ", who got the message").isIn("s", "u");
      withMessage += n;
    }
    assertThat(status.get("state").asText()).isEqualTo("done");
    assertThat(status.get("pending").asLong()).isZero();
    assertThat(status.get("targets").asLong()).isEqualTo(openIds.size());
    long sent = status.get("sent").asLong();
    long unknown = status.get("unknown").asLong();
    assertThat(withMessage).as("inboxes vs status").isBetween(sent, sent + unknown);
    assertThat(stack.sim.deliveredCount()).as("deliveries").isEqualTo(withMessage);
    assertThat(unknown).as("unknown only where an answer was lost").isLessThanOrEqualTo(stack.sim.answersLostCount() + otherDoubts);
    // The figures RELIABILITY.md quotes come from these lines of a run.
    System.out.printf("RESULT targets=%d sent=%d noCredential=%d failed=%d unknown=%d inboxes=%d answers_lost=%d byReason=%s sim_errcodes=%s%n",
        openIds.size(), sent, status.get("noCredential").asLong(), status.get("failed").asLong(), unknown, withMessage,
        stack.sim.answersLostCount(), status.get("byReason"), stack.sim.errcodeCounts());
  }
}
