package io.wxpush.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TokenTest {
  static WeChatSim sim;
  static SimHttp http;

  @BeforeAll
  static void start() {
    sim = WeChatSim.start(SimConfig.builder().port(0).app("wxapp1", "secret1").app("wxapp2", "secret2").build());
    http = new SimHttp(sim);
  }

  @AfterAll
  static void stop() {
    sim.close();
  }

  @BeforeEach
  void template() {
    sim.registerTemplate(new SimTemplate("wxapp1", "TPL", SimTemplate.Kind.TEMPLATE, List.of("keyword1"), Set.of()));
  }

  @AfterEach
  void reset() {
    sim.reset();
  }

  /** The errcode of a template send made with {@code token} (a fresh formId each time). */
  private int sendWith(String token) {
    String formId = sim.mintFormIds("wxapp1", "openid-1", 1).get(0);
    return http.sendTemplate(token, "openid-1", "TPL", formId, Map.of()).errcode();
  }

  private SimHttp.Answer stable(String appId, String secret, boolean force) {
    return http.post("/cgi-bin/stable_token", Map.of("grant_type", "client_credential", "appid", appId, "secret", secret, "force_refresh", force));
  }

  @Test
  void tokenAnswersAccessTokenAndExpiresIn() {
    SimHttp.Answer answer = http.get("/cgi-bin/token?grant_type=client_credential&appid=wxapp1&secret=secret1");

    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.json().get("access_token").asText()).isNotBlank();
    assertThat(answer.json().get("expires_in").asLong()).isBetween(7190L, 7200L);
    assertThat(sim.tokenIssuedCount()).isEqualTo(1);
  }

  @Test
  void wrongAppIdSecretOrGrantTypeAnswersWeChatsErrcodes() {
    assertThat(http.get("/cgi-bin/token?grant_type=client_credential&appid=nope&secret=secret1").errcode()).isEqualTo(40013);
    assertThat(http.get("/cgi-bin/token?grant_type=client_credential&appid=wxapp1&secret=wrong").errcode()).isEqualTo(40125);
    assertThat(http.get("/cgi-bin/token?grant_type=client_credential&appid=wxapp1&secret=secret2").errcode()).isEqualTo(40125);
    assertThat(http.get("/cgi-bin/token?grant_type=client_credential&secret=secret1").errcode()).isEqualTo(41002);
    assertThat(http.get("/cgi-bin/token?grant_type=client_credential&appid=wxapp1").errcode()).isEqualTo(41004);
    assertThat(http.get("/cgi-bin/token?grant_type=password&appid=wxapp1&secret=secret1").errcode()).isEqualTo(40002);
    assertThat(stable("wxapp1", "wrong", false).errcode()).isEqualTo(40125);
    assertThat(stable("nope", "secret1", false).errcode()).isEqualTo(40013);
    assertThat(sim.tokenIssuedCount()).isZero();
  }

  @Test
  void newTokenLeavesThePreviousOneValidForFiveMinutes() {
    String first = http.token("wxapp1", "secret1");
    String second = http.token("wxapp1", "secret1");
    assertThat(second).isNotEqualTo(first);

    sim.clockOffset(Duration.ofMinutes(4));
    assertThat(sendWith(first)).isZero();
    sim.clockOffset(Duration.ofMinutes(5).plusSeconds(1));
    assertThat(sendWith(first)).isEqualTo(40001);
    assertThat(sendWith(second)).isZero();
  }

  @Test
  void tokenPastItsLifetimeAnswers42001() {
    String token = http.token("wxapp1", "secret1");

    sim.clockOffset(Duration.ofSeconds(7201));

    assertThat(sendWith(token)).isEqualTo(42001);
  }

  @Test
  void missingOrUnknownTokenAnswers41001Or40001() {
    String formId = sim.mintFormIds("wxapp1", "openid-1", 1).get(0);
    Map<String, Object> body = Map.of("touser", "openid-1", "template_id", "TPL", "form_id", formId);

    assertThat(http.post("/cgi-bin/message/wxopen/template/send", body).errcode()).isEqualTo(41001);
    assertThat(http.post("/cgi-bin/message/subscribe/send?access_token=", body).errcode()).isEqualTo(41001);
    assertThat(sendWith("made-up")).isEqualTo(40001);
  }

  @Test
  void stableTokenIsTheSameUntilFiveMinutesBeforeExpiry() {
    String first = stable("wxapp1", "secret1", false).json().get("access_token").asText();
    sim.clockOffset(Duration.ofMinutes(60));
    SimHttp.Answer same = stable("wxapp1", "secret1", false);
    assertThat(same.json().get("access_token").asText()).isEqualTo(first);
    assertThat(same.json().get("expires_in").asLong()).isBetween(3590L, 3600L);

    sim.clockOffset(Duration.ofSeconds(7200 - 299));
    String second = stable("wxapp1", "secret1", false).json().get("access_token").asText();

    assertThat(second).isNotEqualTo(first);
    assertThat(sendWith(first)).isZero();
    assertThat(sendWith(second)).isZero();
    sim.clockOffset(Duration.ofSeconds(7200));
    assertThat(sendWith(first)).isEqualTo(42001);
    assertThat(sim.tokenIssuedCount()).isEqualTo(2);
    assertThat(sim.tokenCallCount()).isEqualTo(3);
  }

  @Test
  void forceRefreshIssuesANewStableTokenAndInvalidatesTheOldAtOnce() {
    String first = stable("wxapp1", "secret1", false).json().get("access_token").asText();

    String forced = stable("wxapp1", "secret1", true).json().get("access_token").asText();

    assertThat(forced).isNotEqualTo(first);
    assertThat(sendWith(first)).isEqualTo(40001);
    assertThat(sendWith(forced)).isZero();
    assertThat(stable("wxapp1", "secret1", false).json().get("access_token").asText()).isEqualTo(forced);
  }

  @Test
  void stableAndPlainTokensAreIsolated() {
    String stableToken = stable("wxapp1", "secret1", false).json().get("access_token").asText();
    String plain = http.token("wxapp1", "secret1");
    http.token("wxapp1", "secret1");
    sim.clockOffset(Duration.ofMinutes(6));

    assertThat(sendWith(stableToken)).isZero();
    assertThat(sendWith(plain)).isEqualTo(40001);

    String fresh = http.token("wxapp1", "secret1");
    stable("wxapp1", "secret1", true);
    assertThat(sendWith(fresh)).isZero();
  }

  @Test
  void invalidateTokensMakesEveryCurrentTokenAnswer40001() {
    String plain = http.token("wxapp1", "secret1");
    String stableToken = stable("wxapp1", "secret1", false).json().get("access_token").asText();

    sim.invalidateTokens("wxapp1");

    assertThat(sendWith(plain)).isEqualTo(40001);
    assertThat(sendWith(stableToken)).isEqualTo(40001);
    String renewed = stable("wxapp1", "secret1", false).json().get("access_token").asText();
    assertThat(renewed).isNotEqualTo(stableToken);
    assertThat(sendWith(renewed)).isZero();
  }

  @Test
  void tokenOfOneAppSendsOnlyForThatApp() {
    String otherApp = http.token("wxapp2", "secret2");

    assertThat(sendWith(otherApp)).isEqualTo(40003);
  }

  @Test
  void loginCodeExchangesOnceForTheOpenId() {
    String code = sim.mintLoginCode("wxapp1", "openid-7");
    String url = "/sns/jscode2session?appid=wxapp1&secret=secret1&grant_type=authorization_code&js_code=" + code;

    SimHttp.Answer first = http.get(url);
    SimHttp.Answer again = http.get(url);

    assertThat(first.json().get("openid").asText()).isEqualTo("openid-7");
    assertThat(first.json().get("session_key").asText()).isNotBlank();
    assertThat(again.errcode()).isEqualTo(40029);
  }

  @Test
  void loginCodeIsBoundToItsAppAndExpires() {
    String code = sim.mintLoginCode("wxapp1", "openid-7");
    assertThat(http.get("/sns/jscode2session?appid=wxapp2&secret=secret2&grant_type=authorization_code&js_code=" + code).errcode()).isEqualTo(40029);
    assertThat(http.get("/sns/jscode2session?appid=wxapp1&secret=bad&grant_type=authorization_code&js_code=" + code).errcode()).isEqualTo(40125);
    assertThat(http.get("/sns/jscode2session?appid=wxapp1&secret=secret1&grant_type=authorization_code&js_code=bogus").errcode()).isEqualTo(40029);

    String late = sim.mintLoginCode("wxapp1", "openid-8");
    sim.clockOffset(Duration.ofMinutes(6));
    assertThat(http.get("/sns/jscode2session?appid=wxapp1&secret=secret1&grant_type=authorization_code&js_code=" + late).errcode()).isEqualTo(40029);
    sim.clockOffset(Duration.ZERO);
    assertThat(http.get("/sns/jscode2session?appid=wxapp1&secret=secret1&grant_type=authorization_code&js_code=" + code).json().get("openid").asText()).isEqualTo("openid-7");
  }
}
