package io.wxpush.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.wxpush.credentials.Credential;
import io.wxpush.credentials.CredentialKind;
import io.wxpush.json.Json;
import io.wxpush.sim.SimTemplate;
import io.wxpush.testkit.ApiClient;
import io.wxpush.testkit.RealServices;
import io.wxpush.testkit.TestEnv;
import io.wxpush.worker.PushWorker;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * "Did user X get push Y?" (issue 31, BRIEF §3 v3 {@code GET /v1/pushes/{requestId}/users/{openId}}):
 * each user of one push — sent, in doubt, failed, without a credential, capped (and one of a push
 * cancelled) — is answered from the
 * send ledger while it keeps the push ({@code LEDGER_GRACE}), pending before a sender took it, with
 * WeChat's msgid when it answered, and {@code 410 gone} once the grace has passed.
 */
@ExtendWith(RealServices.class)
class UserOutcomeIT {
  private static final Duration GRACE = Duration.ofSeconds(30);

  private static Map<String, Object> push(List<String> openIds) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("appId", Stack.APP);
    body.put("kind", "template");
    body.put("templateId", "TPL_ORDER");
    body.put("data", Map.of("keyword1", "hello"));
    body.put("audience", Map.of("openIds", openIds));
    return body;
  }

  private static ApiClient.Reply user(Stack stack, String requestId, String openId) throws Exception {
    return stack.client.get("/v1/pushes/" + requestId + "/users/" + openId + "?appId=" + Stack.APP, Stack.API_KEY);
  }

  @Test
  void eachUserOfOnePushIsAnsweredFromTheLedgerUntilTheGraceHasPassed(TestEnv env) throws Exception {
    try (Stack stack = Stack.start(env, Map.of("LEDGER_GRACE", GRACE.getSeconds() + "s"))) {
      stack.sim.registerTemplate(new SimTemplate(Stack.APP, "TPL_ORDER", SimTemplate.Kind.TEMPLATE, List.of("keyword1"), Set.of()));
      stack.client.send("PUT", "/v1/apps/" + Stack.APP + "/policy",
          Map.of("Authorization", "Bearer " + Stack.API_KEY, "Content-Type", "application/json"),
          Json.writeString(Map.of("maxPerUserPerDay", 1)).getBytes(StandardCharsets.UTF_8)).expect(200);
      long now = System.currentTimeMillis();
      String sent = "sent-1";
      String inDoubt = "doubt-1";
      String ghost = "ghost-1";
      String nothing = "nothing-1";
      String capped = "capped-1";
      String clean = "clean-1";
      String dropped = "dropped-1";
      stack.seedFormIds(List.of(sent, capped), 2, now);
      stack.seedFormIds(List.of(clean, dropped), 1, now);
      stack.seedPrepayIds(List.of(inDoubt), now); // a prepay_id sent in doubt is never sent again: unknown
      try (var redis = stack.redis()) { // a form_id of a user WeChat does not know: 40003, failed
        stack.pool(redis).addAll(List.of(Credential.of(Stack.APP, ghost, CredentialKind.FORM_ID, "form-of-a-ghost", null, now)));
      }
      Stack.policySeenEverywhere();
      stack.worker("fanout", Map.of());
      PushWorker sender = stack.worker("sender", Map.of("SENDER_CONCURRENCY", "8"));
      stack.awaitState(stack.push(push(List.of(capped))), "done"); // the capped user's one message today

      stack.workers.remove(sender);
      sender.close(); // the next push's tasks wait on Kafka: its users are pending
      stack.sim.faults().gatewayErrorAfterDeliveryRate(1.0); // every delivery answered 5xx: in doubt
      long started = System.currentTimeMillis();
      String rid = stack.push(push(List.of(sent, inDoubt, ghost, nothing, capped)));
      await().atMost(Duration.ofSeconds(60)).until(() -> stack.status(rid).path("targets").asLong() == 5);
      assertThat(user(stack, rid, sent).expect(200).body().path("state").asText()).isEqualTo("pending");
      String cancelled = stack.push(push(List.of(dropped))); // cancelled while its task waits
      await().atMost(Duration.ofSeconds(60)).until(() -> stack.status(cancelled).path("targets").asLong() == 1);
      stack.client.cancelPush(Stack.API_KEY, Stack.APP, cancelled).expect(202);

      stack.worker("sender", Map.of("SENDER_CONCURRENCY", "8"));
      JsonNode status = stack.awaitState(rid, "done");
      stack.awaitState(cancelled, "cancelled");
      JsonNode x = user(stack, cancelled, dropped).expect(200).body();
      assertThat(x.path("state").asText()).as(x.toString()).isEqualTo("cancelled");
      assertThat(status.path("sent").asLong()).as(status.toString()).isEqualTo(1);
      JsonNode s = user(stack, rid, sent).expect(200).body();
      assertThat(s.path("state").asText()).as(s.toString()).isEqualTo("sent"); // its form_id sent again: 41029 proves it
      assertThat(s.path("at").asLong()).isBetween(started - 1_000, System.currentTimeMillis() + 1_000);
      JsonNode u = user(stack, rid, inDoubt).expect(200).body();
      assertThat(u.path("state").asText()).as(u.toString()).isEqualTo("unknown");
      JsonNode f = user(stack, rid, ghost).expect(200).body();
      assertThat(f.path("state").asText()).as(f.toString()).isEqualTo("failed");
      assertThat(f.path("reason").asText()).isEqualTo("40003");
      JsonNode n = user(stack, rid, nothing).expect(200).body();
      assertThat(n.path("state").asText()).as(n.toString()).isEqualTo("noCredential");
      assertThat(n.path("reason").asText()).isEqualTo("none");
      JsonNode c = user(stack, rid, capped).expect(200).body();
      assertThat(c.path("state").asText()).as(c.toString()).isEqualTo("noCredential");
      assertThat(c.path("reason").asText()).isEqualTo("capped");
      assertThat(stack.userOutcomes(rid, List.of(sent, inDoubt, ghost, nothing, capped)))
          .as("as the senders counted them").isEqualTo(Map.of(sent, "s", inDoubt, "u", ghost, "f", nothing, "n", capped, "n"));

      assertThat(user(stack, rid, "stranger-1").status()).as("not in the push").isEqualTo(404);
      assertThat(user(stack, "no-such-push", sent).status()).isEqualTo(404);
      assertThat(user(stack, rid, "bad%20id").status()).isEqualTo(400);

      // a send WeChat answered: its msgid too
      stack.sim.faults().clear();
      String second = stack.push(push(List.of(clean)));
      stack.awaitState(second, "done");
      JsonNode m = user(stack, second, clean).expect(200).body();
      assertThat(m.path("state").asText()).as(m.toString()).isEqualTo("sent");
      assertThat(m.path("msgid").asLong()).isEqualTo(stack.sim.inbox(Stack.APP, clean).getFirst().msgid());
      assertThat(s.has("msgid")).as("an answer lost in doubt left no msgid: " + s).isFalse();

      // once LEDGER_GRACE has passed, the ledger no longer tells
      ApiClient.Reply gone = await().atMost(GRACE.plusSeconds(60)).pollInterval(Duration.ofSeconds(1))
          .until(() -> user(stack, rid, sent), r -> r.status() != 200);
      assertThat(gone.status()).as(gone.body().toString()).isEqualTo(410);
      assertThat(gone.errorCode()).isEqualTo("gone");
    }
  }
}
