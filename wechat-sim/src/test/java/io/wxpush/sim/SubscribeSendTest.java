package io.wxpush.sim;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SubscribeSendTest {
  static WeChatSim sim;
  static SimHttp http;
  String token;

  static final Map<String, String> DATA = Map.of("thing1", "Your order shipped", "time2", "2024-05-01 12:30");

  @BeforeAll
  static void start() {
    sim = WeChatSim.start(SimConfig.builder().port(0).app("wxapp1", "secret1").build());
    http = new SimHttp(sim);
  }

  @AfterAll
  static void stop() {
    sim.close();
  }

  @BeforeEach
  void templates() {
    sim.registerTemplate(new SimTemplate("wxapp1", "TPL_SUB", SimTemplate.Kind.SUBSCRIBE, List.of("thing1", "time2"), Set.of()));
    sim.registerTemplate(new SimTemplate("wxapp1", "TPL_OTHER", SimTemplate.Kind.SUBSCRIBE, List.of("thing1", "time2"), Set.of()));
    token = http.token("wxapp1", "secret1");
  }

  @AfterEach
  void reset() {
    sim.reset();
  }

  @Test
  void eachGrantAllowsOneSendOfItsTemplateThen43101() {
    String a = sim.grantSubscription("wxapp1", "openid-1", "TPL_SUB");
    String b = sim.grantSubscription("wxapp1", "openid-1", "TPL_SUB");
    assertThat(a).isNotEqualTo(b);

    assertThat(http.sendSubscribe(token, "openid-1", "TPL_SUB", DATA).errcode()).isZero();
    assertThat(http.sendSubscribe(token, "openid-1", "TPL_SUB", DATA).errcode()).isZero();
    assertThat(http.sendSubscribe(token, "openid-1", "TPL_SUB", DATA).errcode()).isEqualTo(43101);
    assertThat(sim.inbox("wxapp1", "openid-1")).hasSize(2).allSatisfy(m -> {
      assertThat(m.kind()).isEqualTo("subscribe");
      assertThat(m.credential()).isNull();
      assertThat(m.data()).isEqualTo(DATA);
    });
  }

  @Test
  void aLongTermTemplatesAcceptIsNotSpentUntilTheUserTurnsItOff() {
    sim.registerTemplate(new SimTemplate("wxapp1", "TPL_LONG", SimTemplate.Kind.SUBSCRIBE, List.of("thing1"), Set.of(), true));
    sim.grantSubscription("wxapp1", "openid-1", "TPL_LONG");

    for (int i = 0; i < 5; i++) assertThat(http.sendSubscribe(token, "openid-1", "TPL_LONG", Map.of("thing1", "hi")).errcode()).isZero();
    assertThat(sim.revokeSubscription("wxapp1", "openid-1", "TPL_LONG")).isPositive();

    assertThat(http.sendSubscribe(token, "openid-1", "TPL_LONG", Map.of("thing1", "hi")).errcode()).isEqualTo(43101);
    assertThat(sim.inbox("wxapp1", "openid-1")).hasSize(5);
  }

  @Test
  void gettemplateListsALongTermTemplateAsType3() throws Exception {
    sim.registerTemplate(new SimTemplate("wxapp1", "TPL_LONG", SimTemplate.Kind.SUBSCRIBE, List.of("thing1"), Set.of(), true));

    JsonNode list = new ObjectMapper().readTree(HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create(sim.baseUrl() + "/wxaapi/newtmpl/gettemplate?access_token=" + token)).build(),
        HttpResponse.BodyHandlers.ofString()).body());

    Map<String, Integer> types = new HashMap<>();
    list.get("data").forEach(t -> types.put(t.get("priTmplId").asText(), t.get("type").asInt()));
    assertThat(types).containsEntry("TPL_LONG", 3).containsEntry("TPL_SUB", 2);
  }

  @Test
  void grantForOneTemplateDoesNotCoverAnother() {
    sim.grantSubscription("wxapp1", "openid-1", "TPL_SUB");

    assertThat(http.sendSubscribe(token, "openid-1", "TPL_OTHER", DATA).errcode()).isEqualTo(43101);
    assertThat(http.sendSubscribe(token, "openid-1", "TPL_SUB", DATA).errcode()).isZero();
  }

  @Test
  void successAnswersAMsgid() {
    sim.grantSubscription("wxapp1", "openid-1", "TPL_SUB");

    SimHttp.Answer answer = http.sendSubscribe(token, "openid-1", "TPL_SUB", DATA);

    assertThat(answer.json().get("errmsg").asText()).isEqualTo("ok");
    assertThat(answer.json().get("msgid").asLong()).isPositive();
  }

  @Test
  void valueBreakingItsKeyRuleAnswers47003NamingTheFieldAndKeepsTheGrant() {
    sim.grantSubscription("wxapp1", "openid-1", "TPL_SUB");
    Map<String, String> tooLong = new LinkedHashMap<>(DATA);
    tooLong.put("thing1", "x".repeat(21));
    Map<String, String> badTime = new LinkedHashMap<>(DATA);
    badTime.put("time2", "tomorrow");

    SimHttp.Answer first = http.sendSubscribe(token, "openid-1", "TPL_SUB", tooLong);
    SimHttp.Answer second = http.sendSubscribe(token, "openid-1", "TPL_SUB", badTime);
    SimHttp.Answer missing = http.sendSubscribe(token, "openid-1", "TPL_SUB", Map.of("thing1", "hi"));

    assertThat(first.errcode()).isEqualTo(47003);
    assertThat(first.json().get("errmsg").asText()).contains("thing1");
    assertThat(second.json().get("errmsg").asText()).contains("time2");
    assertThat(missing.json().get("errmsg").asText()).contains("time2");
    assertThat(http.sendSubscribe(token, "openid-1", "TPL_SUB", DATA).errcode()).isZero();
  }

  @Test
  void invalidMiniprogramStateOrLangAnswers47003() {
    sim.grantSubscription("wxapp1", "openid-1", "TPL_SUB");
    String url = "/cgi-bin/message/subscribe/send?access_token=" + token;

    assertThat(http.post(url, Map.of("touser", "openid-1", "template_id", "TPL_SUB", "data", SimHttp.wrap(DATA), "miniprogram_state", "beta")).errcode()).isEqualTo(47003);
    assertThat(http.post(url, Map.of("touser", "openid-1", "template_id", "TPL_SUB", "data", SimHttp.wrap(DATA), "lang", "fr_FR")).errcode()).isEqualTo(47003);
    assertThat(http.post(url, Map.of("touser", "openid-1", "template_id", "TPL_SUB", "data", SimHttp.wrap(DATA), "miniprogram_state", "trial", "lang", "en_US")).errcode()).isZero();
  }

  @Test
  void templateTemplateOnSubscribeEndpointAnswers40037() {
    sim.registerTemplate(new SimTemplate("wxapp1", "TPL_LEGACY", SimTemplate.Kind.TEMPLATE, List.of("keyword1"), Set.of()));
    sim.grantSubscription("wxapp1", "openid-1", "TPL_LEGACY");

    assertThat(http.sendSubscribe(token, "openid-1", "TPL_LEGACY", Map.of("keyword1", "x")).errcode()).isEqualTo(40037);
  }

  @Test
  void sendToUserWithoutAnythingMintedAnswers40003() {
    assertThat(http.sendSubscribe(token, "nobody", "TPL_SUB", DATA).errcode()).isEqualTo(40003);
  }
}
