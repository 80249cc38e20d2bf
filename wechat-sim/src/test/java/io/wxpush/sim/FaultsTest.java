package io.wxpush.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.function.Predicate;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class FaultsTest {
  static final int SENDS = 2000;

  /**
   * How far a fault's observed share may stray from its rate {@code p} over {@link #SENDS} sends:
   * five standard deviations of the binomial share (about 1 in 1.7 million by chance), which
   * still fails a rate that is off by a third.
   */
  static Offset<Double> fiveSigma(double p) {
    return Offset.offset(5 * Math.sqrt(p * (1 - p) / SENDS));
  }
  static WeChatSim sim;
  static SimHttp http;
  String token;

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
  void template() {
    sim.registerTemplate(new SimTemplate("wxapp1", "TPL", SimTemplate.Kind.TEMPLATE, List.of("keyword1"), Set.of()));
    token = http.token("wxapp1", "secret1");
  }

  @AfterEach
  void reset() {
    sim.reset();
  }

  /** A timed answer to one send; {@code answer} is null when the client timed out. */
  record Timed(SimHttp.Answer answer, long millis) {}

  /** Sends {@code count} template sends with distinct fresh formIds, 32 at a time. */
  private List<Timed> sendMany(int count, Duration timeout) throws InterruptedException {
    List<String> formIds = sim.mintFormIds("wxapp1", "openid-1", count);
    ConcurrentLinkedQueue<Timed> out = new ConcurrentLinkedQueue<>();
    Semaphore inFlight = new Semaphore(32);
    try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
      for (String formId : formIds) {
        inFlight.acquire();
        pool.submit(() -> {
          try {
            long start = System.nanoTime();
            SimHttp.Answer a = http.postOrTimeout("/cgi-bin/message/wxopen/template/send?access_token=" + token,
                Map.of("touser", "openid-1", "template_id", "TPL", "form_id", formId), timeout);
            out.add(new Timed(a, (System.nanoTime() - start) / 1_000_000));
          } finally {
            inFlight.release();
          }
        });
      }
    }
    return List.copyOf(out);
  }

  private static double share(List<Timed> answers, Predicate<Timed> which) {
    return answers.stream().filter(which).count() / (double) answers.size();
  }

  @Test
  void systemErrorRateAnswersMinusOneHoldsWithinFiveSigmaOfTheRate() throws Exception {
    sim.faults().systemErrorRate(0.10);

    List<Timed> answers = sendMany(SENDS, Duration.ofSeconds(10));

    assertThat(share(answers, t -> t.answer().errcode() == -1)).isCloseTo(0.10, fiveSigma(0.10));
    assertThat(sim.deliveredCount()).isEqualTo(answers.stream().filter(t -> t.answer().errcode() == 0).count());
  }

  @Test
  void http500RateHoldsWithinFiveSigma() throws Exception {
    sim.faults().http500Rate(0.10);

    List<Timed> answers = sendMany(SENDS, Duration.ofSeconds(10));

    assertThat(share(answers, t -> t.answer().status() == 500)).isCloseTo(0.10, fiveSigma(0.10));
    assertThat(sim.httpFaultCounts().get(500)).isEqualTo(answers.stream().filter(t -> t.answer().status() == 500).count());
  }

  @Test
  void http503RateHoldsWithinFiveSigma() throws Exception {
    sim.faults().http503Rate(0.05);

    List<Timed> answers = sendMany(SENDS, Duration.ofSeconds(10));

    assertThat(share(answers, t -> t.answer().status() == 503)).isCloseTo(0.05, fiveSigma(0.05));
  }

  @Test
  void hangBeforeRateHoldsWithinFiveSigmaAndHungSendsAreNotDelivered() throws Exception {
    sim.faults().hangBeforeRate(0.10, Duration.ofMillis(300));

    List<Timed> answers = sendMany(SENDS, Duration.ofSeconds(10));

    // Classified by the answer, not the clock: a loaded machine can make any send slow.
    List<Timed> hung = answers.stream().filter(t -> t.answer().errcode() == -1).toList();
    assertThat(hung.size() / (double) SENDS).isCloseTo(0.10, fiveSigma(0.10));
    assertThat(hung).allSatisfy(t -> assertThat(t.millis()).isGreaterThanOrEqualTo(290));
    assertThat(sim.deliveredCount()).isEqualTo(SENDS - hung.size());
  }

  @Test
  void hangAfterDeliveryRateHoldsWithinFiveSigmaAndHungSendsAreDelivered() throws Exception {
    // A hang long enough that no ordinary send on a loaded machine takes as long.
    sim.faults().hangAfterDeliveryRate(0.10, Duration.ofMillis(1_000));

    List<Timed> answers = sendMany(SENDS, Duration.ofSeconds(20));

    long hung = answers.stream().filter(t -> t.millis() >= 950).count();
    assertThat(hung / (double) SENDS).isCloseTo(0.10, fiveSigma(0.10));
    assertThat(sim.deliveredCount()).isEqualTo(SENDS);
  }

  @Test
  void latencyAddsFixedPlusRandomDelay() {
    List<String> formIds = sim.mintFormIds("wxapp1", "openid-1", 60);
    sim.faults().latency(Duration.ofMillis(40), Duration.ofMillis(40));

    List<Long> millis = formIds.stream().map(formId -> {
      long start = System.nanoTime();
      assertThat(http.sendTemplate(token, "openid-1", "TPL", formId, Map.of()).errcode()).isZero();
      return (System.nanoTime() - start) / 1_000_000;
    }).sorted().toList();

    assertThat(millis.get(0)).isGreaterThanOrEqualTo(40);
    assertThat(millis.get(millis.size() / 2)).as("median: the fixed part plus about half the random part, and some slack for a loaded machine").isBetween(45L, 200L);
    assertThat(millis.get(millis.size() - 5) - millis.get(4)).as("random part spreads the delays").isGreaterThanOrEqualTo(15);
  }

  @Test
  void inDoubtRetryWithTheSameFormIdAnswers41029() {
    String formId = sim.mintFormIds("wxapp1", "openid-1", 1).get(0);
    Map<String, Object> body = Map.of("touser", "openid-1", "template_id", "TPL", "form_id", formId);
    String url = "/cgi-bin/message/wxopen/template/send?access_token=" + token;
    sim.faults().hangAfterDeliveryRate(1.0, Duration.ofSeconds(2));

    assertThat(http.postOrTimeout(url, body, Duration.ofMillis(300))).isNull();
    sim.faults().clear();

    assertThat(http.post(url, body).errcode()).isEqualTo(41029);
    assertThat(sim.inbox("wxapp1", "openid-1")).hasSize(1);
  }

  @Test
  void aGatewayErrorAfterDeliveryAnswers502ButTheMessageWasDelivered() {
    String prepayId = sim.mintPrepayId("wxapp1", "openid-1");
    String url = "/cgi-bin/message/wxopen/template/send?access_token=" + token;
    Map<String, Object> body = Map.of("touser", "openid-1", "template_id", "TPL", "form_id", prepayId);
    sim.faults().gatewayErrorAfterDeliveryRate(1.0);

    assertThat(http.post(url, body).status()).isEqualTo(502);
    assertThat(sim.inbox("wxapp1", "openid-1")).hasSize(1);
    assertThat(sim.answersLostCount()).isEqualTo(1);
    assertThat(sim.httpFaultCounts()).containsEntry(502, 1L);
    sim.faults().clear();
    // a prepay_id has three sends: resending it after the lost answer delivers a second message
    assertThat(http.post(url, body).errcode()).isZero();
    assertThat(sim.inbox("wxapp1", "openid-1")).hasSize(2);
  }

  @Test
  void aResetAfterDeliveryCutsTheConnectionButTheMessageWasDelivered() {
    String formId = sim.mintFormIds("wxapp1", "openid-1", 1).get(0);
    String url = "/cgi-bin/message/wxopen/template/send?access_token=" + token;
    Map<String, Object> body = Map.of("touser", "openid-1", "template_id", "TPL", "form_id", formId);
    sim.faults().resetAfterDeliveryRate(1.0);

    assertThat(http.postOrFailure(url, body)).isInstanceOf(IOException.class);
    assertThat(sim.inbox("wxapp1", "openid-1")).hasSize(1);
    assertThat(sim.answersLostCount()).isEqualTo(1);
    sim.faults().clear();
    assertThat(http.post(url, body).errcode()).isEqualTo(41029);
  }

  @Test
  void lostAnswerFaultsCanBeSetOverHttp() {
    var reply = http.put("/sim/faults", Map.of("http5xxAfterDeliveryRate", 0.25, "resetAfterDeliveryRate", 0.5));
    assertThat(reply.status()).isEqualTo(200);
    assertThat(sim.faults().snapshot()).containsEntry("http5xxAfterDeliveryRate", 0.25).containsEntry("resetAfterDeliveryRate", 0.5);
  }

  @Test
  void sendHungBeforeProcessingLeavesTheFormIdUnspent() {
    String formId = sim.mintFormIds("wxapp1", "openid-1", 1).get(0);
    Map<String, Object> body = Map.of("touser", "openid-1", "template_id", "TPL", "form_id", formId);
    String url = "/cgi-bin/message/wxopen/template/send?access_token=" + token;
    sim.faults().hangBeforeRate(1.0, Duration.ofSeconds(2));

    assertThat(http.postOrTimeout(url, body, Duration.ofMillis(300))).isNull();
    sim.faults().clear();

    assertThat(http.post(url, body).errcode()).isZero();
    assertThat(sim.inbox("wxapp1", "openid-1")).hasSize(1);
  }

  @Test
  void failedSendsNeverConsumeTheCredential() {
    String formId = sim.mintFormIds("wxapp1", "openid-1", 1).get(0);
    sim.grantSubscription("wxapp1", "openid-1", "TPL_SUB");
    sim.registerTemplate(new SimTemplate("wxapp1", "TPL_SUB", SimTemplate.Kind.SUBSCRIBE, List.of("thing1"), Set.of()));
    Map<String, String> data = Map.of("thing1", "hi");

    sim.faults().systemErrorRate(1.0);
    assertThat(http.sendTemplate(token, "openid-1", "TPL", formId, Map.of()).errcode()).isEqualTo(-1);
    assertThat(http.sendSubscribe(token, "openid-1", "TPL_SUB", data).errcode()).isEqualTo(-1);
    sim.faults().clear().http500Rate(1.0);
    assertThat(http.sendTemplate(token, "openid-1", "TPL", formId, Map.of()).status()).isEqualTo(500);
    sim.faults().clear().http503Rate(1.0);
    assertThat(http.sendSubscribe(token, "openid-1", "TPL_SUB", data).status()).isEqualTo(503);
    sim.faults().clear().rateLimitNext(2);
    assertThat(http.sendTemplate(token, "openid-1", "TPL", formId, Map.of()).errcode()).isEqualTo(45011);
    assertThat(http.sendSubscribe(token, "openid-1", "TPL_SUB", data).errcode()).isEqualTo(45011);
    sim.faults().clear().dailyQuota("wxapp1", 0);
    assertThat(http.sendTemplate(token, "openid-1", "TPL", formId, Map.of()).errcode()).isEqualTo(45009);
    sim.faults().clear();

    assertThat(http.sendTemplate(token, "openid-1", "TPL", formId, Map.of()).errcode()).isZero();
    assertThat(http.sendSubscribe(token, "openid-1", "TPL_SUB", data).errcode()).isZero();
  }

  @Test
  void rateLimitNextAnswers45011ForExactlyTheNextSends() throws Exception {
    sim.faults().rateLimitNext(5);

    List<Timed> answers = sendMany(20, Duration.ofSeconds(10));

    assertThat(answers.stream().filter(t -> t.answer().errcode() == 45011).count()).isEqualTo(5);
    assertThat(sim.deliveredCount()).isEqualTo(15);
  }

  @Test
  void rateLimitForAnswers45011UntilTheDurationEnds() {
    String formId = sim.mintFormIds("wxapp1", "openid-1", 1).get(0);
    sim.faults().rateLimitFor(Duration.ofMillis(500));

    assertThat(http.sendTemplate(token, "openid-1", "TPL", formId, Map.of()).errcode()).isEqualTo(45011);
    await().atMost(Duration.ofSeconds(3)).until(() -> http.sendTemplate(token, "openid-1", "TPL", formId, Map.of()).errcode() == 0);
  }

  @Test
  void dailyQuotaAnswers45009OnceExceededUntilTheNextSimDay() throws Exception {
    sim.faults().dailyQuota("wxapp1", 10);

    List<Timed> answers = sendMany(15, Duration.ofSeconds(10));

    assertThat(answers.stream().filter(t -> t.answer().errcode() == 45009).count()).isEqualTo(5);
    sim.clockOffset(Duration.ofDays(1));
    token = http.token("wxapp1", "secret1");
    assertThat(sendMany(1, Duration.ofSeconds(10)).get(0).answer().errcode()).isZero();
  }
}
