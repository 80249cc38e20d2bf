package io.wxpush.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.wxpush.json.Json;
import io.wxpush.testkit.ApiClient;
import io.wxpush.testkit.PrivateService;
import io.wxpush.testkit.RealServices;
import io.wxpush.testkit.TestEnv;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * With Redis away, every route of the API that needs it answers 503 `unavailable` with Retry-After
 * (the stores' own error), never a 500; once Redis is back they answer as before.
 */
@ExtendWith(RealServices.class)
class ApiStorageOutageIT {
  @Test
  void theApiAnswers503WhileRedisIsAwayAnd404AfterItIsBack(TestEnv env) throws Exception {
    try (PrivateService redis = PrivateService.redis(); Stack stack = Stack.start(env, Map.of("REDIS_URL", redis.address()))) {
      assertThat(stack.client.pushStatus(Stack.API_KEY, "nothing-here").status()).isEqualTo(404);
      redis.stop();
      ApiClient.Reply away = stack.client.pushStatus(Stack.API_KEY, "nothing-here");
      assertThat(away.status()).isEqualTo(503);
      assertThat(away.errorCode()).isEqualTo("unavailable");
      ApiClient.Reply pools = stack.client.userCredentials(Stack.API_KEY, Stack.APP, "o1");
      assertThat(pools.status()).isEqualTo(503);
      redis.restart();
      await().atMost(Duration.ofSeconds(30)).until(() -> stack.client.pushStatus(Stack.API_KEY, "nothing-here").status() == 404);
    }
  }

  @Test
  void everyRouteAnswers503WithRetryAfterWhileRedisIsAwayNever500(TestEnv env) throws Exception {
    try (PrivateService redis = PrivateService.redis(); Stack stack = Stack.start(env, Map.of("REDIS_URL", redis.address()))) {
      String token = stack.login("o-outage");
      redis.stop();
      String json = "application/json";
      Map<String, String> key = Map.of("Authorization", "Bearer " + Stack.API_KEY, "Content-Type", json);
      Map<String, Object> push = Map.of("requestId", "outage-1", "appId", Stack.APP, "kind", "subscribe", "templateId", "TPL_SUB",
          "data", Map.of("thing1", "hi"), "audience", Map.of("openIds", List.of("o1")));
      Map<String, String> routes = new LinkedHashMap<>();
      routes.put("GET /v1/pushes?appId=" + Stack.APP, null);
      routes.put("GET /v1/pushes/outage-1", null);
      routes.put("DELETE /v1/pushes/outage-1", null);
      routes.put("POST /v1/pushes/outage-1/retry", "{}");
      routes.put("POST /v1/pushes", Json.writeString(push));
      Map<String, Object> dryRun = new LinkedHashMap<>(push);
      dryRun.put("dryRun", true);
      routes.put("POST /v1/pushes?dryRun", Json.writeString(dryRun));
      routes.put("GET /v1/pushes/outage-1/users/o1", null);
      routes.put("GET /v1/apps", null);
      routes.put("GET /v1/apps/" + Stack.APP, null);
      routes.put("GET /v1/apps/" + Stack.APP + "/policy", null);
      routes.put("PUT /v1/apps/" + Stack.APP + "/policy", "{\"quietHours\":null,\"maxPerUserPerDay\":3,\"reserveLast\":false}");
      routes.put("GET /v1/templates?appId=" + Stack.APP, null);
      routes.put("GET /v1/fleet", null);
      routes.put("GET /v1/audit?appId=" + Stack.APP, null);
      routes.put("GET /v1/users/o1/credentials?appId=" + Stack.APP, null);
      List<String> problems = new ArrayList<>();
      for (var route : routes.entrySet()) {
        String[] mp = route.getKey().split(" ", 2);
        byte[] body = route.getValue() == null ? null : route.getValue().getBytes(StandardCharsets.UTF_8);
        ApiClient.Reply r = stack.client.send(mp[0], mp[1], key, body);
        check(route.getKey(), r, problems);
      }
      ApiClient.Reply upload = stack.client.uploadCredentials(token, List.of(ApiClient.credential("form_id", "f-outage", System.currentTimeMillis())));
      check("POST /v1/credentials", upload, problems);
      assertThat(problems).isEmpty();
      assertThat(stack.client.send("GET", "/v1/pushes?appId=" + Stack.APP, key, null).status()).as("the list").isEqualTo(503);
    }
  }

  private static void check(String route, ApiClient.Reply r, List<String> problems) {
    if (r.status() >= 500 && (r.status() != 503 || r.header("Retry-After").isEmpty())) {
      problems.add(route + " answered " + r.status() + " " + r.text() + " retry-after=" + r.header("Retry-After"));
    }
  }
}
