package io.wxpush.sim;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code quota/get} and the per-app rate limit, over real HTTP. */
class QuotaTest {
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

  private SimHttp.Answer quota(String cgiPath) {
    return http.post("/cgi-bin/openapi/quota/get?access_token=" + token, Map.of("cgi_path", cgiPath));
  }

  private int send(String formId) {
    return http.sendTemplate(token, "openid-1", "TPL", formId, Map.of()).errcode();
  }

  @Test
  void quotaGetReportsTheDaysSendsWithWeChatsDefaultLimitWhenNoneIsSet() {
    for (String formId : sim.mintFormIds("wxapp1", "openid-1", 3)) assertThat(send(formId)).isZero();

    JsonNode answer = quota("/cgi-bin/message/subscribe/send").json();

    assertThat(answer.path("errcode").asInt()).isZero();
    assertThat(answer.path("quota").path("daily_limit").asLong()).isEqualTo(10_000_000);
    assertThat(answer.path("quota").path("used").asLong()).isEqualTo(3);
    assertThat(answer.path("quota").path("remain").asLong()).isEqualTo(9_999_997);
    assertThat(answer.has("rate_limit")).as("no rate limit configured").isFalse();
  }

  @Test
  void quotaGetCountsWhatThe45009LimitEnforcesAndStartsAgainWithTheNextSimDay() {
    sim.faults().dailyQuota("wxapp1", 5);
    List<String> formIds = sim.mintFormIds("wxapp1", "openid-1", 8);
    long refused = formIds.stream().filter(f -> send(f) == 45009).count();

    JsonNode quota = quota("/cgi-bin/message/subscribe/send").json().path("quota");
    assertThat(refused).isEqualTo(3);
    assertThat(quota.path("daily_limit").asLong()).isEqualTo(5);
    assertThat(quota.path("used").asLong()).isEqualTo(5);
    assertThat(quota.path("remain").asLong()).isZero();

    // the sim clock past the next Beijing midnight: WeChat's new day
    Instant now = Instant.now();
    Instant midnight = now.atZone(ZoneId.of("Asia/Shanghai")).toLocalDate().plusDays(1).atStartOfDay(ZoneId.of("Asia/Shanghai")).toInstant();
    sim.clockOffset(Duration.between(now, midnight).plusMinutes(1));
    token = http.token("wxapp1", "secret1");
    JsonNode next = quota("/cgi-bin/message/subscribe/send").json().path("quota");
    assertThat(next.path("used").asLong()).isZero();
    assertThat(next.path("remain").asLong()).isEqualTo(5);
  }

  @Test
  void aRateLimitAnswers45011PastItsSendsInOneSecondAndQuotaGetReportsIt() throws Exception {
    sim.faults().rateLimit("wxapp1", 10);
    JsonNode rate = quota("/cgi-bin/message/subscribe/send").json().path("rate_limit");
    assertThat(rate.path("call_count").asInt()).isEqualTo(10);
    assertThat(rate.path("refresh_second").asInt()).isEqualTo(1);

    List<String> formIds = sim.mintFormIds("wxapp1", "openid-1", 40);
    ConcurrentLinkedQueue<Integer> codes = new ConcurrentLinkedQueue<>();
    long start = System.nanoTime();
    try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
      for (String formId : formIds) pool.submit(() -> codes.add(send(formId)));
    }
    long seconds = Duration.ofNanos(System.nanoTime() - start).toSeconds() + 2; // the windows the sends could span
    long delivered = codes.stream().filter(c -> c == 0).count();
    assertThat(delivered).isBetween(10L, 10 * seconds);
    assertThat(codes.stream().filter(c -> c == 45011).count()).isEqualTo(40 - delivered);
    assertThat(quota("/cgi-bin/message/subscribe/send").json().path("quota").path("used").asLong())
        .as("refused sends are not counted in the day").isEqualTo(delivered);
  }

  @Test
  void quotaGetRefusesAPathItDoesNotCount() {
    assertThat(quota("/cgi-bin/no/such/api").errcode()).isEqualTo(76021);
    assertThat(http.post("/cgi-bin/openapi/quota/get?access_token=" + token, Map.of()).errcode()).isEqualTo(47001);
    assertThat(http.post("/cgi-bin/openapi/quota/get?access_token=bad", Map.of("cgi_path", "/cgi-bin/message/subscribe/send")).errcode())
        .isEqualTo(40001);
  }

  @Test
  void theRateLimitIsSetAndRemovedThroughTheFaultsRoute() {
    assertThat(http.put("/sim/faults", Map.of("rateLimit", Map.of("wxapp1", 200))).json().path("rateLimit").path("wxapp1").asInt())
        .isEqualTo(200);
    assertThat(quota("/cgi-bin/message/subscribe/send").json().path("rate_limit").path("call_count").asInt()).isEqualTo(200);
    http.put("/sim/faults", Map.of("rateLimit", Map.of("wxapp1", 0)));
    assertThat(quota("/cgi-bin/message/subscribe/send").json().has("rate_limit")).isFalse();
  }
}
