package io.wxpush.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.wxpush.json.Json;
import io.wxpush.testkit.ApiClient;
import io.wxpush.testkit.RealServices;
import io.wxpush.testkit.TestEnv;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Roles on push API keys (BRIEF §3 v3): every route of ingest-api's route table, asked by a viewer,
 * an operator and an admin key of app A, for app A and for app B. A key's own app: the route's
 * success when its role allows it, {@code 403 forbidden_role} when not; another app:
 * {@code 403 forbidden_app} whatever the role (the scope is checked first, so a key of A learns
 * nothing of B). A route added to the table without a row here fails the test.
 */
@ExtendWith(RealServices.class)
class RoleMatrixIT {
  private static final String A = Stack.APP;
  private static final String B = "wxapp2";
  private static final String VIEWER = "viewer-a-key-0123456789abcdef";
  private static final String OPERATOR = "operator-a-key-0123456789abcdef";
  private static final String ADMIN = "admin-a-key-0123456789abcdef";
  private static final String BARE = Stack.API_KEY;
  private static final Map<String, String> KEYS = new LinkedHashMap<>();

  static {
    KEYS.put("viewer", VIEWER);
    KEYS.put("operator", OPERATOR);
    KEYS.put("admin", ADMIN);
  }

  private Stack stack;
  private final AtomicInteger ids = new AtomicInteger();

  /** A call of one route by {@code key} for {@code app}. */
  @FunctionalInterface
  private interface Call {
    ApiClient.Reply run(String key, String app) throws Exception;
  }

  /**
   * A push-key route: the least role it needs, its answer when allowed, how to call it, and
   * whether it names an app (routes that do not — the key's apps, the fleet — have no other app to ask for).
   */
  private record Row(String needs, int success, boolean namesApp, Call call) {}

  @BeforeEach
  void start(TestEnv env) {
    stack = Stack.start(env, Map.of(
        "WECHAT_APPS", A + ":" + Stack.APP_SECRET + "," + B + ":app-secret-for-tests-2",
        "PUSH_API_KEYS", VIEWER + "=" + A + "@viewer," + OPERATOR + "=" + A + "@operator," + ADMIN + "=" + A + "@admin," + BARE),
        b -> b.app(B, "app-secret-for-tests-2"));
  }

  @AfterEach
  void stop() {
    stack.close();
  }

  /** Routes that take no push API key: a session token, WeChat's signature, or nothing. */
  private static final Set<String> NOT_PUSH_KEY_ROUTES = Set.of("GET /health", "GET /metrics", "GET /openapi.json", "GET /docs",
      "GET /console", "POST /v1/sessions", "POST /v1/credentials", "GET /v1/wechat/{appId}/events", "POST /v1/wechat/{appId}/events");

  private Map<String, Row> matrix() {
    ApiClient api = stack.client;
    Map<String, Row> m = new LinkedHashMap<>();
    m.put("GET /v1/users/{openId}/credentials", new Row("viewer", 200, true, (k, app) -> api.userCredentials(k, app, "o-1")));
    m.put("GET /v1/templates", new Row("viewer", 200, true, (k, app) -> api.get("/v1/templates?appId=" + app, k)));
    m.put("GET /v1/apps", new Row("viewer", 200, false, (k, app) -> api.get("/v1/apps", k)));
    m.put("GET /v1/apps/{appId}", new Row("viewer", 200, true, (k, app) -> api.get("/v1/apps/" + app, k)));
    m.put("GET /v1/fleet", new Row("viewer", 200, false, (k, app) -> api.get("/v1/fleet", k)));
    m.put("GET /v1/apps/{appId}/policy", new Row("viewer", 200, true, (k, app) -> api.get("/v1/apps/" + app + "/policy", k)));
    m.put("PUT /v1/apps/{appId}/policy", new Row("admin", 200, true, (k, app) -> api.send("PUT", "/v1/apps/" + app + "/policy",
        Map.of("Authorization", "Bearer " + k, "Content-Type", "application/json"), policy())));
    m.put("POST /v1/pushes", new Row("operator", 202, true, (k, app) -> api.push(k, push(app, "new-" + ids.incrementAndGet()))));
    m.put("GET /v1/pushes", new Row("viewer", 200, true, (k, app) -> api.get("/v1/pushes?appId=" + app, k)));
    m.put("GET /v1/pushes/{requestId}", new Row("viewer", 200, true, (k, app) -> api.pushStatus(k, app, "seed")));
    m.put("DELETE /v1/pushes/{requestId}", new Row("operator", 202, true, (k, app) -> api.cancelPush(k, app, app.equals(A) ? seeded(app) : "seed")));
    m.put("POST /v1/pushes/{requestId}/retry", new Row("operator", 202, true, (k, app) -> api.retryPush(k, app, "seed")));
    m.put("GET /v1/pushes/{requestId}/users/{openId}", new Row("viewer", 200, true,
        (k, app) -> api.get("/v1/pushes/seed/users/o-1?appId=" + app, k)));
    m.put("GET /v1/audit", new Row("admin", 200, true, (k, app) -> api.get("/v1/audit?appId=" + app, k)));
    return m;
  }

  @Test
  void everyPushKeyRouteAnswersEachRoleOfItsOwnAppByRoleAndAnotherAppsKeyForbiddenApp() throws Exception {
    ApiClient api = stack.client;
    api.push(BARE, push(A, "seed")).expect(202);
    api.push(BARE, push(B, "seed")).expect(202);

    Set<String> served = new TreeSet<>();
    for (String route : stack.api.routes()) {
      String path = route.substring(route.indexOf(' ') + 1);
      if (!path.startsWith("/console/") && !path.startsWith("/docs/")) served.add(route); // the console's files, not routes
    }
    Map<String, Row> matrix = matrix();
    Set<String> unclassified = new TreeSet<>(served);
    unclassified.removeAll(matrix.keySet());
    unclassified.removeAll(NOT_PUSH_KEY_ROUTES);
    assertThat(unclassified).as("routes of the route table without a row in the role matrix").isEmpty();

    SoftAssertions soft = new SoftAssertions();
    int asked = 0;
    for (var entry : matrix.entrySet()) {
      if (!served.contains(entry.getKey())) continue; // a row for a route this build does not serve yet
      Row row = entry.getValue();
      for (var key : KEYS.entrySet()) {
        String role = key.getKey();
        boolean allowed = rank(role) >= rank(row.needs());
        ApiClient.Reply own = row.call().run(key.getValue(), A);
        String what = entry.getKey() + " by a " + role + " key of its own app: " + own.text();
        if (allowed) {
          soft.assertThat(own.status()).as(what).isEqualTo(row.success());
        } else {
          soft.assertThat(own.status()).as(what).isEqualTo(403);
          soft.assertThat(own.errorCode()).as(what).isEqualTo("forbidden_role");
        }
        if (row.namesApp()) {
          ApiClient.Reply other = row.call().run(key.getValue(), B);
          String asOther = entry.getKey() + " by a " + role + " key of another app: " + other.text();
          soft.assertThat(other.status()).as(asOther).isEqualTo(403);
          soft.assertThat(other.errorCode()).as(asOther).isEqualTo("forbidden_app");
        }
        asked++;
      }
    }
    soft.assertAll();
    assertThat(asked).as("cells asked").isGreaterThanOrEqualTo(3 * 13);
    // nothing a refused key asked for happened: the only pushes of B are the seed, of A the seed,
    // what the operator and admin created, and what was seeded for them to cancel
    assertThat(api.get("/v1/pushes?appId=" + B, BARE).body().get("pushes").findValuesAsText("requestId")).containsExactly("seed");
    assertThat(api.get("/v1/pushes?appId=" + A + "&limit=200", BARE).body().get("pushes").findValuesAsText("requestId"))
        .filteredOn(id -> id.startsWith("new-")).hasSize(2);
  }

  @Test
  void theOpenApiDocumentGivesEachPushKeyOperationTheRoleOfItsRow() throws Exception {
    JsonNode paths = stack.client.get("/openapi.json", null).expect(200).body().get("paths");
    Map<String, Row> matrix = matrix();
    Map<String, String> documented = new TreeMap<>();
    Map<String, String> expected = new TreeMap<>();
    paths.fields().forEachRemaining(path -> path.getValue().fields().forEachRemaining(op -> {
      String route = op.getKey().toUpperCase(Locale.ROOT) + " " + path.getKey();
      if (op.getValue().path("security").toString().contains("pushApiKey")) {
        documented.put(route, op.getValue().path("x-role").asText("(none)"));
        expected.put(route, matrix.containsKey(route) ? matrix.get(route).needs() : "(no row)");
      }
    }));
    assertThat(documented).isNotEmpty().isEqualTo(expected);
  }

  @Test
  void theKeysListOfAppsTellsItsRoleAndItsAuditName() throws Exception {
    for (var key : KEYS.entrySet()) {
      var body = stack.client.get("/v1/apps", key.getValue()).expect(200).body();
      assertThat(body.get("apps").findValuesAsText("appId")).containsExactly(A);
      assertThat(body.get("role").asText()).isEqualTo(key.getKey());
      assertThat(body.get("key").asText()).isEqualTo(AuditTrailIT.auditName(key.getValue()));
    }
    var bare = stack.client.get("/v1/apps", BARE).expect(200).body();
    assertThat(bare.get("apps").findValuesAsText("appId")).containsExactly(A, B);
    assertThat(bare.get("role").asText()).as("a key without a role is an admin").isEqualTo("admin");
  }

  private static int rank(String role) {
    return List.of("viewer", "operator", "admin").indexOf(role);
  }

  /** A fresh push of {@code app} for a cancel to cancel, created with the bare key. */
  private String seeded(String app) throws Exception {
    String rid = "cancel-" + ids.incrementAndGet();
    stack.client.push(BARE, push(app, rid)).expect(202);
    return rid;
  }

  private static Map<String, Object> push(String appId, String requestId) {
    return Map.of("requestId", requestId, "appId", appId, "kind", "template", "templateId", "TPL_ORDER",
        "data", Map.of("keyword1", "hi"), "audience", Map.of("openIds", List.of("o-1")));
  }

  private static byte[] policy() {
    Map<String, Object> p = new HashMap<>();
    p.put("quietHours", null);
    p.put("maxPerUserPerDay", null);
    p.put("reserveLast", false);
    return Json.writeString(p).getBytes(StandardCharsets.UTF_8);
  }
}
