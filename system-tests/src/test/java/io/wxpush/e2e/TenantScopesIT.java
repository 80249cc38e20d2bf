package io.wxpush.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.wxpush.json.Json;
import io.wxpush.testkit.ApiClient;
import io.wxpush.testkit.RealServices;
import io.wxpush.testkit.TestEnv;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * One wxpush serving two mini-programs of two teams: a key scoped to each app and one bare key
 * (BRIEF §3 v2, rule 8), and the bad-key throttle behind a trusted proxy.
 */
@ExtendWith(RealServices.class)
class TenantScopesIT {
  private static final String APP_B = "wxapp2";
  private static final String KEY_A = "team-a-key-0123456789abcdef";
  private static final String KEY_B = "team-b-key-0123456789abcdef";
  private static final String BARE = Stack.API_KEY;
  private Stack stack;

  @BeforeEach
  void start(TestEnv env) {
    stack = Stack.start(env, Map.of(
        "WECHAT_APPS", Stack.APP + ":" + Stack.APP_SECRET + "," + APP_B + ":app-secret-for-tests-2",
        "PUSH_API_KEYS", KEY_A + "=" + Stack.APP + "," + KEY_B + "=" + APP_B + "," + BARE,
        "TRUSTED_PROXIES", "127.0.0.0/8,::1"), b -> b.app(APP_B, "app-secret-for-tests-2"));
  }

  @AfterEach
  void stop() {
    stack.close();
  }

  private static Map<String, Object> push(String appId, String requestId) {
    return Map.of("requestId", requestId, "appId", appId, "kind", "template", "templateId", "TPL_ORDER",
        "data", Map.of("keyword1", "hi"), "audience", Map.of("openIds", List.of("o-1")));
  }

  @Test
  void eachScopedKeyPushesToAndReadsOnlyItsAppAndTheBareKeyReadsBoth() throws Exception {
    ApiClient api = stack.client;
    api.push(KEY_A, push(Stack.APP, "a-1")).expect(202);
    api.push(KEY_B, push(APP_B, "b-1")).expect(202);

    for (String[] attempt : new String[][] {{KEY_A, APP_B, "a-into-b"}, {KEY_B, Stack.APP, "b-into-a"}}) {
      ApiClient.Reply refused = api.push(attempt[0], push(attempt[1], attempt[2]));
      assertThat(refused.status()).as("%s pushing to %s", attempt[2], attempt[1]).isEqualTo(403);
      assertThat(refused.errorCode()).isEqualTo("forbidden_app");
      assertThat(api.pushStatus(BARE, attempt[2]).status()).as("nothing was accepted for " + attempt[2]).isEqualTo(404);
    }
    assertThat(api.get("/v1/pushes?appId=" + APP_B, BARE).body().get("pushes").findValuesAsText("requestId")).containsExactly("b-1");

    // another app's push is not there for a key not scoped to it: status, cancel and retry alike
    assertThat(api.pushStatus(KEY_B, "a-1").status()).isEqualTo(404);
    assertThat(api.send("DELETE", "/v1/pushes/a-1", Map.of("Authorization", "Bearer " + KEY_B), null).status()).isEqualTo(404);
    assertThat(api.post("/v1/pushes/a-1/retry", KEY_B, Map.of()).status()).isEqualTo(404);
    assertThat(api.pushStatus(KEY_A, "b-1").status()).isEqualTo(404);
    assertThat(api.pushStatus(KEY_A, "a-1").status()).isEqualTo(200);
    assertThat(api.pushStatus(KEY_B, "b-1").status()).isEqualTo(200);

    // every route taking an appId checks the scope
    for (String path : new String[] {"/v1/pushes?appId=" + APP_B, "/v1/users/o-1/credentials?appId=" + APP_B, "/v1/templates?appId=" + APP_B,
        "/v1/apps/" + APP_B + "/policy"}) {
      ApiClient.Reply reply = api.get(path, KEY_A);
      assertThat(reply.status()).as(path).isEqualTo(403);
      assertThat(reply.errorCode()).as(path).isEqualTo("forbidden_app");
      assertThat(api.get(path, KEY_B).status()).as(path + " with its own key").isEqualTo(200);
    }

    // the bare key acts for both
    assertThat(api.pushStatus(BARE, "a-1").body().get("appId").asText()).isEqualTo(Stack.APP);
    assertThat(api.pushStatus(BARE, "b-1").body().get("appId").asText()).isEqualTo(APP_B);
    assertThat(api.get("/v1/pushes?appId=" + Stack.APP, BARE).body().get("pushes").findValuesAsText("requestId")).containsExactly("a-1");
    assertThat(api.get("/v1/users/o-1/credentials?appId=" + APP_B, BARE).status()).isEqualTo(200);
  }

  @Test
  void aScopedKeyGetsOneAnswerForEveryAppOutsideItsScopeServedOrNot() throws Exception {
    ApiClient api = stack.client;
    for (String app : List.of(APP_B, "wxnot-served")) {
      List<ApiClient.Reply> replies = List.of(
          api.push(KEY_A, push(app, "scope-" + app)),
          api.get("/v1/pushes?appId=" + app, KEY_A),
          api.get("/v1/templates?appId=" + app, KEY_A),
          api.get("/v1/users/o-1/credentials?appId=" + app, KEY_A),
          api.get("/v1/apps/" + app, KEY_A),
          api.get("/v1/apps/" + app + "/policy", KEY_A),
          api.send("PUT", "/v1/apps/" + app + "/policy", headers(KEY_A, "198.51.100.7"), body(Map.of("reserveLast", false))));
      for (ApiClient.Reply reply : replies) {
        assertThat(reply.status()).as(app + ": " + reply.text()).isEqualTo(403);
        assertThat(reply.errorCode()).as(app).isEqualTo("forbidden_app");
        assertThat(reply.body().path("error").path("message").asText()).as(app)
            .isEqualTo("this API key may not act for app '" + app + "'");
      }
    }
  }

  @Test
  void badKeysFromOneForwardedAddressThrottleThatAddressOnly() throws Exception {
    // the throttle counts per wall-clock minute: keep the burst inside one
    Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200))
        .until(() -> LocalTime.now(ZoneOffset.UTC).getSecond() < 45);
    ApiClient api = stack.client;
    int throttled = 0;
    for (int i = 0; i < 30; i++) {
      int status = api.send("POST", "/v1/pushes", headers("wrong-key-" + i, "203.0.113.9"), body(push(Stack.APP, "x-" + i))).status();
      assertThat(status).isIn(401, 429);
      if (status == 429) throttled++;
    }
    assertThat(throttled).as("the last 10 of 30 bad keys").isEqualTo(10);
    assertThat(api.send("POST", "/v1/pushes", headers("wrong-key", "203.0.113.9"), body(push(Stack.APP, "x"))).status()).isEqualTo(429);

    ApiClient.Reply good = api.send("POST", "/v1/pushes", headers(KEY_A, "198.51.100.4"), body(push(Stack.APP, "good-1")));
    assertThat(good.status()).as("a good key from another forwarded address").isEqualTo(202);
    assertThat(api.send("POST", "/v1/pushes", headers("wrong-key", "198.51.100.4"), body(push(Stack.APP, "y"))).status())
        .as("a bad key from another address is not throttled").isEqualTo(401);
    assertThat(api.send("POST", "/v1/pushes", headers(KEY_A, "203.0.113.9"), body(push(Stack.APP, "good-2"))).status())
        .as("a good key passes even from the throttled address").isEqualTo(202);
    assertThat(api.pushStatus(BARE, "x-25").status()).as("nothing was published for a bad key").isEqualTo(404);
  }

  private static Map<String, String> headers(String key, String forwardedFor) {
    return Map.of("Authorization", "Bearer " + key, "X-Forwarded-For", forwardedFor, "Content-Type", "application/json");
  }

  private static byte[] body(Map<String, Object> push) {
    return Json.writeString(push).getBytes(StandardCharsets.UTF_8);
  }
}
