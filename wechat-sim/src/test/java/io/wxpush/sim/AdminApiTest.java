package io.wxpush.sim;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class AdminApiTest {
  static WeChatSim sim;
  static SimHttp http;

  @BeforeAll
  static void start() {
    sim = WeChatSim.start(SimConfig.builder().port(0).app("wxapp1", "secret1").build());
    http = new SimHttp(sim);
  }

  @AfterAll
  static void stop() {
    sim.close();
  }

  @AfterEach
  void reset() {
    http.post("/sim/reset", Map.of());
  }

  private String token() {
    return http.token("wxapp1", "secret1");
  }

  @Test
  void templateUserCredentialsAndInboxOverHttp() {
    assertThat(http.post("/sim/templates", Map.of("appId", "wxapp1", "templateId", "TPL_ORDER", "kind", "template",
        "keywords", List.of("keyword1", "keyword2"), "pages", List.of("pages/index"))).status()).isEqualTo(201);
    JsonNode formIds = http.post("/sim/users/wxapp1/openid-1/form-ids?count=2", Map.of()).json().get("formIds");
    String prepay = http.post("/sim/users/wxapp1/openid-1/prepay-ids", Map.of()).json().get("prepayIds").get(0).asText();
    String token = token();

    assertThat(formIds).hasSize(2);
    assertThat(http.sendTemplate(token, "openid-1", "TPL_ORDER", formIds.get(0).asText(), Map.of("keyword1", "a")).errcode()).isZero();
    assertThat(http.sendTemplate(token, "openid-1", "TPL_ORDER", prepay, Map.of("keyword2", "b")).errcode()).isZero();

    JsonNode messages = http.get("/sim/users/wxapp1/openid-1/inbox").json().get("messages");
    assertThat(messages).hasSize(2);
    assertThat(messages.get(0).get("templateId").asText()).isEqualTo("TPL_ORDER");
    assertThat(messages.get(0).get("kind").asText()).isEqualTo("template");
    assertThat(messages.get(0).get("data").get("keyword1").asText()).isEqualTo("a");
    assertThat(messages.get(0).get("credential").asText()).isEqualTo(formIds.get(0).asText());
    assertThat(messages.get(1).get("credential").asText()).isEqualTo(prepay);
    assertThat(messages.get(0).get("at").asText()).isNotBlank();
  }

  @Test
  void grantsAndLoginCodeOverHttp() {
    http.post("/sim/templates", Map.of("appId", "wxapp1", "templateId", "TPL_SUB", "kind", "subscribe", "keywords", List.of("thing1")));
    JsonNode grants = http.post("/sim/users/wxapp1/openid-1/grants", Map.of("templateId", "TPL_SUB", "count", 2)).json().get("grantIds");
    String code = http.post("/sim/users/wxapp1/openid-9/login-code", Map.of()).json().get("code").asText();
    String token = token();

    assertThat(grants).hasSize(2);
    assertThat(http.sendSubscribe(token, "openid-1", "TPL_SUB", Map.of("thing1", "x")).errcode()).isZero();
    assertThat(http.sendSubscribe(token, "openid-1", "TPL_SUB", Map.of("thing1", "x")).errcode()).isZero();
    assertThat(http.sendSubscribe(token, "openid-1", "TPL_SUB", Map.of("thing1", "x")).errcode()).isEqualTo(43101);
    assertThat(http.get("/sns/jscode2session?appid=wxapp1&secret=secret1&grant_type=authorization_code&js_code=" + code)
        .json().get("openid").asText()).isEqualTo("openid-9");
  }

  @Test
  void bulkMintsOneHundredThousandFormIdsInOneCall() {
    List<String> openIds = IntStream.range(0, 20_000).mapToObj(i -> "user-" + i).toList();

    JsonNode minted = http.post("/sim/bulk/form-ids", Map.of("appId", "wxapp1", "openIds", openIds, "perUser", 5)).json().get("formIds");

    assertThat(minted.size()).isEqualTo(20_000);
    assertThat(minted.get("user-19999")).hasSize(5);
    Set<String> distinct = new HashSet<>();
    minted.forEach(perUser -> perUser.forEach(f -> distinct.add(f.asText())));
    assertThat(distinct).hasSize(100_000);
  }

  @Test
  void statsCountDeliveriesErrcodesTokensAndUsers() {
    http.post("/sim/templates", Map.of("appId", "wxapp1", "templateId", "TPL", "kind", "template", "keywords", List.of("keyword1")));
    String formId = http.post("/sim/users/wxapp1/openid-1/form-ids", Map.of()).json().get("formIds").get(0).asText();
    String token = token();
    http.sendTemplate(token, "openid-1", "TPL", formId, Map.of());
    http.sendTemplate(token, "openid-1", "TPL", formId, Map.of());

    JsonNode stats = http.get("/sim/stats").json();

    assertThat(stats.get("delivered").asLong()).isEqualTo(1);
    assertThat(stats.get("errcodes").get("0").asLong()).isEqualTo(1);
    assertThat(stats.get("errcodes").get("41029").asLong()).isEqualTo(1);
    assertThat(stats.get("tokensIssued").asLong()).isEqualTo(1);
    assertThat(stats.get("usersWithMessages").asLong()).isEqualTo(1);
  }

  @Test
  void faultsAreReadSetPartiallyAndCleared() {
    JsonNode set = http.put("/sim/faults", Map.of("latencyMs", 5, "systemErrorRate", 0.25, "hangMs", 1234,
        "rateLimitNext", 3, "dailyQuota", Map.of("wxapp1", 1000))).json();
    assertThat(set.get("systemErrorRate").asDouble()).isEqualTo(0.25);
    assertThat(set.get("latencyMs").asLong()).isEqualTo(5);

    JsonNode partial = http.put("/sim/faults", Map.of("http500Rate", 0.5)).json();
    assertThat(partial.get("systemErrorRate").asDouble()).isEqualTo(0.25);
    assertThat(partial.get("http500Rate").asDouble()).isEqualTo(0.5);
    assertThat(partial.get("hangMs").asLong()).isEqualTo(1234);
    assertThat(partial.get("dailyQuota").get("wxapp1").asLong()).isEqualTo(1000);
    assertThat(http.get("/sim/faults").json().get("rateLimitNext").asInt()).isEqualTo(3);

    JsonNode cleared = http.delete("/sim/faults").json();
    assertThat(cleared.get("systemErrorRate").asDouble()).isZero();
    assertThat(cleared.get("dailyQuota")).isEmpty();
  }

  @Test
  void badAdminRequestsAnswer400InTheHouseErrorShape() {
    SimHttp.Answer rate = http.put("/sim/faults", Map.of("systemErrorRate", 1.5));
    SimHttp.Answer app = http.post("/sim/users/nope/openid-1/form-ids", Map.of());
    SimHttp.Answer kind = http.post("/sim/templates", Map.of("appId", "wxapp1", "templateId", "T", "kind", "weird"));
    SimHttp.Answer json = http.post("/sim/clock", "{oops");

    assertThat(List.of(rate, app, kind, json)).allSatisfy(a -> {
      assertThat(a.status()).isEqualTo(400);
      assertThat(a.json().get("error").get("code").asText()).isNotBlank();
      assertThat(a.json().get("error").get("message").asText()).isNotBlank();
    });
    assertThat(rate.json().get("error").get("message").asText()).contains("systemErrorRate");
  }

  @Test
  void clockInvalidateAndResetOverHttp() {
    http.post("/sim/templates", Map.of("appId", "wxapp1", "templateId", "TPL", "kind", "template", "keywords", List.of("keyword1")));
    List<String> formIds = sim.mintFormIds("wxapp1", "openid-1", 2);
    String token = token();

    assertThat(http.post("/sim/apps/wxapp1/invalidate-tokens", Map.of()).status()).isEqualTo(200);
    assertThat(http.sendTemplate(token, "openid-1", "TPL", formIds.get(0), Map.of()).errcode()).isEqualTo(40001);

    assertThat(http.post("/sim/clock", Map.of("offsetMs", 8L * 24 * 3600 * 1000)).json().get("offsetMs").asLong()).isEqualTo(8L * 24 * 3600 * 1000);
    assertThat(http.sendTemplate(token(), "openid-1", "TPL", formIds.get(0), Map.of()).errcode()).isEqualTo(41028);

    http.post("/sim/reset", Map.of());
    assertThat(sim.clockOffset()).isZero();
    assertThat(sim.errcodeCounts()).isEmpty();
    assertThat(http.sendTemplate(token(), "openid-1", "TPL", formIds.get(1), Map.of()).errcode()).isEqualTo(40003);
  }

  @Test
  void healthAndMetricsAreServed() {
    assertThat(http.get("/health").status()).isEqualTo(200);
    assertThat(http.get("/metrics").status()).isEqualTo(200);
  }
}
