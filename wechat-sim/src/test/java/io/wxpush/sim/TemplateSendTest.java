package io.wxpush.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TemplateSendTest {
  static WeChatSim sim;
  static SimHttp http;
  String token;

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
  void templates() {
    sim.registerTemplate(new SimTemplate("wxapp1", "TPL_ORDER", SimTemplate.Kind.TEMPLATE, List.of("keyword1", "keyword2"), Set.of("pages/index")));
    token = http.token("wxapp1", "secret1");
  }

  @AfterEach
  void reset() {
    sim.reset();
  }

  private SimHttp.Answer send(String openId, String formId) {
    return http.sendTemplate(token, openId, "TPL_ORDER", formId, Map.of("keyword1", "order 42"));
  }

  @Test
  void formIdDeliversOnceThenAnswers41029() {
    String formId = sim.mintFormIds("wxapp1", "openid-1", 1).get(0);

    assertThat(send("openid-1", formId).errcode()).isZero();
    SimHttp.Answer again = send("openid-1", formId);

    assertThat(again.status()).isEqualTo(200);
    assertThat(again.errcode()).isEqualTo(41029);
    assertThat(sim.inbox("wxapp1", "openid-1")).singleElement().satisfies(m -> {
      assertThat(m.templateId()).isEqualTo("TPL_ORDER");
      assertThat(m.kind()).isEqualTo("template");
      assertThat(m.data()).containsEntry("keyword1", "order 42");
      assertThat(m.credential()).isEqualTo(formId);
      assertThat(m.page()).isEmpty();
    });
    assertThat(sim.deliveredCount()).isEqualTo(1);
    assertThat(sim.errcodeCounts()).containsEntry(0, 1L).containsEntry(41029, 1L);
  }

  @Test
  void prepayIdDeliversThreeTimesThenAnswers41029() {
    String prepayId = sim.mintPrepayId("wxapp1", "openid-1");

    List<Integer> answers = IntStream.range(0, 4).mapToObj(i -> send("openid-1", prepayId).errcode()).toList();

    assertThat(answers).containsExactly(0, 0, 0, 41029);
    assertThat(sim.inbox("wxapp1", "openid-1")).hasSize(3).allSatisfy(m -> assertThat(m.credential()).isEqualTo(prepayId));
  }

  @Test
  void formIdExpiresAfterSevenDaysOnTheSimClock() {
    List<String> formIds = sim.mintFormIds("wxapp1", "openid-1", 2);

    sim.clockOffset(Duration.ofDays(7).minusMinutes(1));
    token = http.token("wxapp1", "secret1");
    assertThat(send("openid-1", formIds.get(0)).errcode()).isZero();
    sim.clockOffset(Duration.ofDays(7).plusSeconds(1));
    token = http.token("wxapp1", "secret1");

    assertThat(send("openid-1", formIds.get(1)).errcode()).isEqualTo(41028);
  }

  @Test
  void prepayIdExpiresAfterSevenDaysEvenWithUsesLeft() {
    String prepayId = sim.mintPrepayId("wxapp1", "openid-1");
    assertThat(send("openid-1", prepayId).errcode()).isZero();

    sim.clockOffset(Duration.ofDays(8));
    token = http.token("wxapp1", "secret1");

    assertThat(send("openid-1", prepayId).errcode()).isEqualTo(41028);
  }

  @Test
  void formIdOfAnotherUserAnswers41028AndStaysUsableByItsOwner() {
    String formId = sim.mintFormIds("wxapp1", "openid-1", 1).get(0);
    sim.mintFormIds("wxapp1", "openid-2", 1);

    assertThat(send("openid-2", formId).errcode()).isEqualTo(41028);
    assertThat(send("openid-1", formId).errcode()).isZero();
  }

  @Test
  void unknownOrForgedFormIdAnswers41028() {
    sim.mintFormIds("wxapp1", "openid-1", 1);

    assertThat(send("openid-1", "the formId is a mock one").errcode()).isEqualTo(41028);
    assertThat(send("openid-1", "").errcode()).isEqualTo(41028);
  }

  @Test
  void formIdFromBeforeResetIsWorthless() {
    String formId = sim.mintFormIds("wxapp1", "openid-1", 1).get(0);
    sim.reset();
    templates();
    sim.mintFormIds("wxapp1", "openid-1", 1);

    assertThat(send("openid-1", formId).errcode()).isEqualTo(41028);
  }

  @Test
  void sendToUserNeverSeenAnswers40003() {
    assertThat(send("stranger", "whatever").errcode()).isEqualTo(40003);
    assertThat(send("", "whatever").errcode()).isEqualTo(40003);
  }

  @Test
  void userOfAnotherAppIsUnknown() {
    String formId = sim.mintFormIds("wxapp2", "openid-1", 1).get(0);

    assertThat(send("openid-1", formId).errcode()).isEqualTo(40003);
  }

  @Test
  void unknownTemplateAnswers40037WithoutSpendingTheFormId() {
    String formId = sim.mintFormIds("wxapp1", "openid-1", 1).get(0);
    sim.registerTemplate(new SimTemplate("wxapp1", "TPL_SUB", SimTemplate.Kind.SUBSCRIBE, List.of("thing1"), Set.of()));

    assertThat(http.sendTemplate(token, "openid-1", "NOPE", formId, Map.of()).errcode()).isEqualTo(40037);
    assertThat(http.sendTemplate(token, "openid-1", "TPL_SUB", formId, Map.of("thing1", "x")).errcode()).isEqualTo(40037);
    assertThat(send("openid-1", formId).errcode()).isZero();
  }

  @Test
  void pageOutsideTheTemplatesPagesAnswers41030() {
    String formId = sim.mintFormIds("wxapp1", "openid-1", 1).get(0);
    String url = "/cgi-bin/message/wxopen/template/send?access_token=" + token;

    SimHttp.Answer bad = http.post(url, Map.of("touser", "openid-1", "template_id", "TPL_ORDER", "form_id", formId, "page", "pages/evil"));
    SimHttp.Answer good = http.post(url, Map.of("touser", "openid-1", "template_id", "TPL_ORDER", "form_id", formId, "page", "pages/index"));

    assertThat(bad.errcode()).isEqualTo(41030);
    assertThat(good.errcode()).isZero();
    assertThat(sim.inbox("wxapp1", "openid-1").get(0).page()).isEqualTo("pages/index");
  }

  @Test
  void dataKeyNotInTheTemplateAnswers47003NamingTheField() {
    String formId = sim.mintFormIds("wxapp1", "openid-1", 1).get(0);

    SimHttp.Answer answer = http.sendTemplate(token, "openid-1", "TPL_ORDER", formId, Map.of("keyword9", "x"));

    assertThat(answer.errcode()).isEqualTo(47003);
    assertThat(answer.json().get("errmsg").asText()).contains("keyword9");
    assertThat(send("openid-1", formId).errcode()).isZero();
  }

  @Test
  void emphasisKeywordMustNameAKeyword() {
    String formId = sim.mintFormIds("wxapp1", "openid-1", 1).get(0);
    String url = "/cgi-bin/message/wxopen/template/send?access_token=" + token;

    assertThat(http.post(url, Map.of("touser", "openid-1", "template_id", "TPL_ORDER", "form_id", formId, "emphasis_keyword", "keyword7.DATA")).errcode()).isEqualTo(47003);
    assertThat(http.post(url, Map.of("touser", "openid-1", "template_id", "TPL_ORDER", "form_id", formId, "emphasis_keyword", "keyword1.DATA")).errcode()).isZero();
  }

  @Test
  void malformedBodyAnswers47001() {
    assertThat(http.post("/cgi-bin/message/wxopen/template/send?access_token=" + token, "{not json").errcode()).isEqualTo(47001);
  }

  @Test
  void sendsFromManyThreadsNeverSpendOneFormIdTwice() throws Exception {
    List<String> formIds = sim.mintFormIds("wxapp1", "openid-1", 20);
    AtomicInteger delivered = new AtomicInteger();
    try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int copy = 0; copy < 5; copy++) {
        for (String formId : formIds) pool.submit(() -> {
          if (send("openid-1", formId).errcode() == 0) delivered.incrementAndGet();
        });
      }
    }

    assertThat(delivered.get()).isEqualTo(20);
    assertThat(sim.inbox("wxapp1", "openid-1")).extracting(SimMessage::credential).containsExactlyInAnyOrderElementsOf(formIds);
    assertThat(sim.errcodeCounts()).containsEntry(0, 20L).containsEntry(41029, 80L);
  }
}
