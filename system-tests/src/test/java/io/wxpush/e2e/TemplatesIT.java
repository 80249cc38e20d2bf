package io.wxpush.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.wxpush.user.UserRef;
import io.wxpush.testkit.ApiClient;
import io.wxpush.testkit.RealServices;
import io.wxpush.testkit.TestEnv;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The template registry (BRIEF §3 v2): ingest-api reads each app's subscribe templates from
 * {@code wxaapi/newtmpl/gettemplate} (the sim's), refuses a subscribe push whose data breaks the
 * template before a grant is spent, refuses grants of templates the app lacks, and learns from a
 * send's 40037 that a template is gone.
 */
@ExtendWith(RealServices.class)
class TemplatesIT {
  private Stack stack;

  @BeforeEach
  void start(TestEnv env) {
    stack = Stack.start(env, Map.of());
  }

  @AfterEach
  void stop() {
    stack.close();
  }

  private static Map<String, Object> subscribe(String templateId, String thing, List<String> openIds) {
    return Map.of("appId", Stack.APP, "kind", "subscribe", "templateId", templateId, "data", Map.of("thing1", thing),
        "audience", Map.of("openIds", openIds));
  }

  private JsonNode awaitFinal(String requestId) {
    return await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
        .until(() -> stack.status(requestId), s -> Set.of("done", "failed").contains(s.path("state").asText()));
  }

  @Test
  void theRegistryListsTheAppsTemplatesWithEachKeywordsTypeAndLimit() throws Exception {
    JsonNode list = stack.client.get("/v1/templates?appId=" + Stack.APP, Stack.API_KEY).expect(200).body();
    assertThat(list.get("loaded").asBoolean()).isTrue();
    assertThat(list.get("templates").findValuesAsText("templateId")).containsExactly("TPL_OTHER", "TPL_SUB");
    JsonNode keyword = list.get("templates").get(1).get("keywords").get(0);
    assertThat(keyword.get("name").asText()).isEqualTo("thing1");
    assertThat(keyword.get("type").asText()).isEqualTo("thing");
    assertThat(keyword.get("limit").asText()).contains("20 characters");
    assertThat(stack.client.get("/v1/templates?appId=wxnope", Stack.API_KEY).status()).isEqualTo(400);
    assertThat(stack.client.get("/v1/templates?appId=" + Stack.APP, "wrong-key").status()).isEqualTo(401);
  }

  @Test
  void aThingOf21CharactersIsRefusedBeforeAGrantIsSpentAndOf20ItIsDelivered() throws Exception {
    List<String> users = List.of("o-t1");
    stack.seedGrants(users, "TPL_SUB");
    stack.worker("fanout,sender", Map.of());

    ApiClient.Reply refused = stack.client.push(Stack.API_KEY, subscribe("TPL_SUB", "订".repeat(21), users));
    assertThat(refused.status()).isEqualTo(400);
    assertThat(refused.errorCode()).isEqualTo("invalid_push");
    assertThat(refused.body().path("error").path("fields").findValuesAsText("field")).containsExactly("data.thing1");
    assertThat(refused.body().path("error").path("fields").get(0).get("message").asText()).contains("20 characters");

    ApiClient.Reply unknown = stack.client.push(Stack.API_KEY, Map.of("appId", Stack.APP, "kind", "subscribe", "templateId", "TPL_SUB",
        "data", Map.of("thing1", "ok", "time9", "15:01"), "audience", Map.of("openIds", users)));
    assertThat(unknown.body().path("error").path("fields").findValuesAsText("field")).containsExactly("data.time9");

    Stack.staysTrue(Duration.ofSeconds(2), () -> stack.sim.errcodeCounts().isEmpty());
    assertThat(stack.client.userCredentials(Stack.API_KEY, Stack.APP, "o-t1").body().path("grants").path("TPL_SUB").asInt())
        .as("the grant is still there").isEqualTo(1);

    String rid = stack.push(subscribe("TPL_SUB", "订".repeat(20), users));
    JsonNode status = awaitFinal(rid);
    assertThat(status.get("sent").asLong()).isEqualTo(1);
    assertThat(stack.sim.inbox(Stack.APP, "o-t1")).hasSize(1);
    assertThat(stack.sim.inbox(Stack.APP, "o-t1").get(0).data()).containsEntry("thing1", "订".repeat(20));
  }

  @Test
  void aGrantOfATemplateTheAppLacksIsRejectedAndNothingIsStored() throws Exception {
    stack.worker("credentials", Map.of());
    String token = stack.login("o-g1");
    long now = System.currentTimeMillis();
    ApiClient.Reply reply = stack.client.uploadCredentials(token, List.of(
        ApiClient.grant("TPL_FORGED", "g-1", now), ApiClient.grant("TPL_SUB", stack.sim.grantSubscription(Stack.APP, "o-g1", "TPL_SUB"), now)));
    assertThat(reply.status()).isEqualTo(202);
    assertThat(reply.body().get("accepted").asInt()).isEqualTo(1);
    assertThat(reply.body().get("rejected").get(0).get("index").asInt()).isZero();
    assertThat(reply.body().get("rejected").get(0).get("reason").asText()).isEqualTo("unknown_template");

    ApiClient.Reply only = stack.client.uploadCredentials(token, List.of(ApiClient.grant("TPL_FORGED", "g-2", now)));
    assertThat(only.status()).isEqualTo(400);
    assertThat(only.errorCode()).isEqualTo("no_valid_credentials");

    await().atMost(Duration.ofSeconds(30)).until(() -> stack.client.userCredentials(Stack.API_KEY, Stack.APP, "o-g1").body()
        .path("grants").path("TPL_SUB").asInt() == 1);
    try (var redis = stack.redis()) {
      // the same user's records share a partition: the forged one, had it been published, would be stored by now
      assertThat(redis.exists(stack.pool(redis).keys().grants(new UserRef(Stack.APP, "o-g1"), "TPL_FORGED"))).isFalse();
    }
    assertThat(stack.client.userCredentials(Stack.API_KEY, Stack.APP, "o-g1").body().path("grants").has("TPL_FORGED")).isFalse();
  }

  @Test
  void aTemplateRemovedAtWeChatIsMarkedGoneByTheFirstSendThatMeets40037() throws Exception {
    List<String> users = List.of("o-r1", "o-r2");
    stack.seedGrants(users, "TPL_OTHER");
    stack.worker("fanout,sender", Map.of());
    stack.sim.removeTemplate(Stack.APP, "TPL_OTHER");

    String rid = stack.push(subscribe("TPL_OTHER", "hello", users)); // the registry's list still has it
    JsonNode status = awaitFinal(rid);
    assertThat(status.get("byReason").path("40037").asLong()).isPositive();

    ApiClient.Reply next = stack.client.push(Stack.API_KEY, subscribe("TPL_OTHER", "hello", users));
    assertThat(next.status()).isEqualTo(400);
    assertThat(next.body().path("error").path("fields").findValuesAsText("field")).containsExactly("templateId");
    JsonNode list = stack.client.get("/v1/templates?appId=" + Stack.APP, Stack.API_KEY).body();
    for (JsonNode t : list.get("templates")) {
      if (t.get("templateId").asText().equals("TPL_OTHER")) assertThat(t.get("gone").asBoolean()).as("listed, but gone").isTrue();
    }
  }
}
