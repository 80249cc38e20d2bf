package io.wxpush.wechat;

import static org.assertj.core.api.Assertions.assertThat;

import io.wxpush.secret.Secret;
import io.wxpush.wechat.WeChatApp;
import io.wxpush.json.Json;
import io.wxpush.sim.SimConfig;
import io.wxpush.sim.SimTemplate;
import io.wxpush.sim.WeChatSim;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Which failed sends the WeChat client reports as in doubt: every answer lost after the request
 * was written (HTTP 5xx, a reset, a time-out), and nothing that failed before it was.
 */
class WeChatClientInDoubtTest {
  private static final String PATH = "cgi-bin/message/wxopen/template/send";
  private WeChatSim sim;
  private WeChatClient client;
  private String token;

  @BeforeEach
  void start() throws Exception {
    sim = WeChatSim.start(SimConfig.builder().port(0).app("wxapp1", "secret1").build());
    sim.registerTemplate(new SimTemplate("wxapp1", "TPL", SimTemplate.Kind.TEMPLATE, List.of("keyword1"), Set.of()));
    client = new WeChatClient(URI.create(sim.baseUrl()), Duration.ofMillis(500), 4, Clock.systemUTC());
    // the token through a patient client: a fresh sim's first answer can take longer than the short time-out on a busy machine
    WeChatClient patient = new WeChatClient(URI.create(sim.baseUrl()), Duration.ofSeconds(15), 1, Clock.systemUTC());
    try {
      token = patient.stableToken(new io.wxpush.wechat.WeChatApp("wxapp1", io.wxpush.secret.Secret.of("secret1")), false).value();
    } finally {
      patient.close();
    }
  }

  @AfterEach
  void stop() {
    client.close();
    sim.close();
  }

  private WeChatReply send(WeChatClient via) {
    String formId = sim.mintFormIds("wxapp1", "o1", 1).get(0);
    return via.send(PATH, token, Json.write(Map.of("touser", "o1", "template_id", "TPL", "form_id", formId)));
  }

  @Test
  void aGatewayErrorAfterDeliveryIsInDoubt() {
    sim.faults().gatewayErrorAfterDeliveryRate(1.0);
    WeChatReply reply = send(client);
    assertThat(reply.errorClass()).isEqualTo(ErrorClass.IN_DOUBT);
    assertThat(reply.reason()).isEqualTo("http_502");
    assertThat(sim.inbox("wxapp1", "o1")).hasSize(1);
  }

  @Test
  void anyHttp5xxIsInDoubtForAGatewayCannotSayWhetherWeChatActed() {
    sim.faults().http503Rate(1.0);
    assertThat(send(client).errorClass()).isEqualTo(ErrorClass.IN_DOUBT);
  }

  @Test
  void aResetAfterDeliveryIsInDoubt() {
    sim.faults().resetAfterDeliveryRate(1.0);
    WeChatReply reply = send(client);
    assertThat(reply.errorClass()).isEqualTo(ErrorClass.IN_DOUBT);
    assertThat(reply.reason()).isEqualTo(WeChatReply.CONNECTION_LOST);
  }

  @Test
  void aTimeOutAfterTheRequestWentOutIsInDoubt() {
    sim.faults().hangAfterDeliveryRate(1.0, Duration.ofSeconds(2));
    WeChatReply reply = send(client);
    assertThat(reply.errorClass()).isEqualTo(ErrorClass.IN_DOUBT);
    assertThat(reply.reason()).isEqualTo(WeChatReply.TIMED_OUT);
  }

  @Test
  void aBusyAnswerIsATransientFailureNotInDoubt() {
    sim.faults().systemErrorRate(1.0);
    WeChatReply reply = send(client);
    assertThat(reply.errorClass()).isEqualTo(ErrorClass.TRANSIENT);
    assertThat(reply.inDoubt()).isFalse();
  }

  @Test
  void aConnectionNeverMadeIsNotInDoubt() throws Exception {
    int closed;
    try (ServerSocket s = new ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    WeChatClient nowhere = new WeChatClient(URI.create("http://127.0.0.1:" + closed), Duration.ofMillis(500), 4, Clock.systemUTC());
    try {
      WeChatReply reply = send(nowhere);
      assertThat(reply.errorClass()).isEqualTo(ErrorClass.TRANSIENT);
      assertThat(reply.reason()).isEqualTo(WeChatReply.NOT_SENT);
    } finally {
      nowhere.close();
    }
  }
}
