package io.wxpush.sim;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** WeChat's sent event: every subscribe message delivered raises one at the app's message-push URL, even when its answer is lost. */
class SentEventTest {
  private static final Map<String, String> DATA = Map.of("thing1", "shipped");
  private WeChatSim sim;
  private SimHttp http;
  private HttpServer receiver;
  private final BlockingQueue<String> events = new LinkedBlockingQueue<>();

  @BeforeEach
  void start() throws IOException {
    sim = WeChatSim.start(SimConfig.builder().port(0).app("wxapp1", "secret1").build());
    http = new SimHttp(sim);
    sim.registerTemplate(new SimTemplate("wxapp1", "TPL_SUB", SimTemplate.Kind.SUBSCRIBE, List.of("thing1"), Set.of()));
    receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    receiver.createContext("/events", exchange -> {
      events.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
      byte[] ok = "success".getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(200, ok.length);
      exchange.getResponseBody().write(ok);
      exchange.close();
    });
    receiver.start();
  }

  @AfterEach
  void stop() {
    receiver.stop(0);
    sim.close();
  }

  private URI url() {
    return URI.create("http://127.0.0.1:" + receiver.getAddress().getPort() + "/events");
  }

  @Test
  void aSubscribeMessageDeliveredBehindA502StillRaisesItsSentEvent() throws Exception {
    sim.configureMessagePush("wxapp1", url(), "tok123", null, "plaintext", "json");
    sim.grantSubscription("wxapp1", "o-1", "TPL_SUB");
    sim.faults().gatewayErrorAfterDeliveryRate(1.0);

    assertThat(http.sendSubscribe(http.token("wxapp1", "secret1"), "o-1", "TPL_SUB", DATA).status()).isEqualTo(502);

    String event = events.poll(10, TimeUnit.SECONDS);
    long msgid = sim.inbox("wxapp1", "o-1").get(0).msgid();
    assertThat(event).contains("\"Event\":\"subscribe_msg_sent_event\"", "\"FromUserName\":\"o-1\"", "\"TemplateId\":\"TPL_SUB\"",
        "\"MsgID\":\"" + msgid + "\"", "\"ErrorCode\":\"0\"", "\"ErrorStatus\":\"success\"");
  }

  @Test
  void withSentEventsOffOrARefusedSendNoEventIsRaised() throws Exception {
    sim.configureMessagePush("wxapp1", url(), "tok123", null, "plaintext", "json", false);
    sim.grantSubscription("wxapp1", "o-2", "TPL_SUB");
    String token = http.token("wxapp1", "secret1");
    assertThat(http.sendSubscribe(token, "o-2", "TPL_SUB", DATA).errcode()).isZero();
    sim.configureMessagePush("wxapp1", url(), "tok123", null, "plaintext", "json");
    assertThat(http.sendSubscribe(token, "o-2", "TPL_SUB", DATA).errcode()).as("no grant left").isEqualTo(43101);

    assertThat(events.poll(2, TimeUnit.SECONDS)).isNull();
  }
}
