package io.wxpush.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The sim's record of what it was asked: every WeChat API request, in order, taken once each. */
class RequestLogTest {
  private WeChatSim sim;
  private SimHttp http;

  @BeforeEach
  void start() {
    sim = WeChatSim.start(SimConfig.builder().port(0).app("wxapp1", "secret1").requestLogCapacity(5).build());
    sim.registerTemplate(new SimTemplate("wxapp1", "TPL_SUB", SimTemplate.Kind.SUBSCRIBE, List.of("thing1"), Set.of()));
    http = new SimHttp(sim);
  }

  @AfterEach
  void stop() {
    sim.close();
  }

  @Test
  void takeRequestHandsOutEachWeChatRequestOnceInArrivalOrderWithItsQueryHeadersAndBody() {
    String token = http.token("wxapp1", "secret1");
    sim.grantSubscription("wxapp1", "openid-1", "TPL_SUB");
    assertThat(http.sendSubscribe(token, "openid-1", "TPL_SUB", Map.of("thing1", "订单 ✓")).errcode()).isZero();

    RecordedRequest tokenCall = sim.takeRequest();
    assertThat(tokenCall.sequence()).isEqualTo(1);
    assertThat(tokenCall.method()).isEqualTo("GET");
    assertThat(tokenCall.path()).isEqualTo("/cgi-bin/token");
    assertThat(tokenCall.queryParam("appid")).contains("wxapp1");
    RecordedRequest send = sim.takeRequest();
    assertThat(send.method()).isEqualTo("POST");
    assertThat(send.path()).isEqualTo("/cgi-bin/message/subscribe/send");
    assertThat(send.queryParam("access_token")).contains(token);
    assertThat(send.header("Content-Type")).contains("application/json");
    assertThat(send.body()).contains("\"touser\":\"openid-1\"").contains("订单 ✓");
    assertThat(sim.takeRequest(Duration.ofMillis(200))).as("each request is taken once").isEmpty();
    assertThat(sim.requests()).as("taking does not remove them from the log").hasSize(2);
  }

  @Test
  void takeRequestWaitsForARequestStillToCome() {
    CompletableFuture<RecordedRequest> taken = CompletableFuture.supplyAsync(() -> sim.takeRequest(Duration.ofSeconds(10)).orElseThrow());
    http.get("/sns/jscode2session?appid=wxapp1&secret=secret1&js_code=nope&grant_type=authorization_code");
    assertThat(taken.join().path()).isEqualTo("/sns/jscode2session");
  }

  @Test
  void aSendThatHangsIsRecordedBeforeItsAnswer() {
    String token = http.token("wxapp1", "secret1");
    sim.takeRequest();
    sim.faults().hangBeforeRate(1.0, Duration.ofSeconds(5));
    CompletableFuture.runAsync(() -> http.postOrTimeout("/cgi-bin/message/subscribe/send?access_token=" + token,
        Map.of("touser", "openid-1", "template_id", "TPL_SUB", "data", Map.of()), Duration.ofSeconds(1)));
    assertThat(sim.takeRequest(Duration.ofSeconds(3))).get().extracting(RecordedRequest::path).isEqualTo("/cgi-bin/message/subscribe/send");
  }

  @Test
  void theControlPlaneIsNotRecordedAndTheLogKeepsOnlyTheNewest() {
    http.post("/sim/users/wxapp1/openid-1/form-ids", Map.of());
    http.get("/sim/stats");
    assertThat(sim.requests()).isEmpty();
    for (int i = 0; i < 7; i++) http.get("/cgi-bin/token?grant_type=client_credential&appid=wxapp1&secret=secret1&n=" + i);
    assertThat(sim.requests()).hasSize(5).extracting(r -> r.queryParam("n").orElseThrow()).containsExactly("2", "3", "4", "5", "6");
    assertThat(sim.requestCount()).isEqualTo(7);
    assertThat(sim.takeRequest().queryParam("n")).as("dropped requests are skipped").contains("2");
  }

  @Test
  void overHttpTheLogIsListedFilteredTakenAndCleared() {
    http.token("wxapp1", "secret1");
    http.post("/cgi-bin/stable_token", Map.of("grant_type", "client_credential", "appid", "wxapp1", "secret", "secret1"));
    JsonNode all = http.get("/sim/requests").json();
    assertThat(all.get("received").asLong()).isEqualTo(2);
    assertThat(all.get("requests")).hasSize(2);
    JsonNode stable = http.get("/sim/requests?path=/cgi-bin/stable_token").json().get("requests");
    assertThat(stable).hasSize(1);
    assertThat(stable.get(0).get("method").asText()).isEqualTo("POST");
    assertThat(stable.get(0).get("body").asText()).contains("client_credential");
    assertThat(http.get("/sim/requests?limit=1").json().get("requests").get(0).get("path").asText()).isEqualTo("/cgi-bin/stable_token");

    assertThat(http.post("/sim/requests/take?timeoutMs=1000", Map.of()).json().get("path").asText()).isEqualTo("/cgi-bin/token");
    assertThat(http.post("/sim/requests/take?timeoutMs=1000", Map.of()).json().get("sequence").asLong()).isEqualTo(2);
    assertThat(http.post("/sim/requests/take?timeoutMs=100", Map.of()).status()).isEqualTo(404);

    assertThat(http.delete("/sim/requests").status()).isEqualTo(200);
    assertThat(http.get("/sim/requests").json().get("requests")).isEmpty();
    assertThat(http.get("/sim/requests?limit=x").status()).isEqualTo(400);
  }

  @Test
  void resetAndClearForgetTheLogAndRestartTheSequence() {
    http.token("wxapp1", "secret1");
    sim.reset();
    assertThat(sim.requests()).isEmpty();
    assertThat(sim.takeRequest(Duration.ZERO)).isEmpty();
    http.token("wxapp1", "secret1");
    assertThat(sim.takeRequest().sequence()).isEqualTo(1);
    sim.clearRequests();
    assertThatThrownBy(() -> sim.takeRequest(Duration.ZERO).orElseThrow()).isInstanceOf(NoSuchElementException.class);
  }

  @Test
  void aCapacityOfZeroRecordsNothing() {
    try (WeChatSim quiet = WeChatSim.start(SimConfig.builder().port(0).app("wxapp1", "secret1").requestLogCapacity(0).build())) {
      new SimHttp(quiet).token("wxapp1", "secret1");
      assertThat(quiet.requests()).isEmpty();
      assertThat(quiet.requestCount()).isZero();
    }
  }
}
