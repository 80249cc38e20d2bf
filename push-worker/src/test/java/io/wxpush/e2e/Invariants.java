package io.wxpush.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.wxpush.credentials.UserRef;
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
   * After a push to {@code openIds} (each with a credential): nobody got two messages; the
   * status counts match the inboxes (sent users have one, the rest none); nobody is pending.
   */
  static void exactlyOnce(Stack stack, JsonNode status, List<String> openIds) {
    long withMessage = 0;
    for (String openId : openIds) {
      int n = stack.sim.inbox(Stack.APP, openId).size();
      assertThat(n).as("messages to " + openId).isLessThanOrEqualTo(1);
      withMessage += n;
    }
    assertThat(status.get("state").asText()).isEqualTo("done");
    assertThat(status.get("pending").asLong()).isZero();
    assertThat(status.get("targets").asLong()).isEqualTo(openIds.size());
    long sent = status.get("sent").asLong();
    long unknown = status.get("unknown").asLong();
    assertThat(withMessage).as("inboxes vs status").isBetween(sent, sent + unknown);
    assertThat(stack.sim.deliveredCount()).as("deliveries").isEqualTo(withMessage);
    // The figures RELIABILITY.md quotes come from these lines of a run.
    System.out.printf("RESULT targets=%d sent=%d noCredential=%d failed=%d unknown=%d inboxes=%d byReason=%s sim_errcodes=%s%n",
        openIds.size(), sent, status.get("noCredential").asLong(), status.get("failed").asLong(), unknown, withMessage,
        status.get("byReason"), stack.sim.errcodeCounts());
  }
}
