package io.wxpush.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.wxpush.testkit.RawHttpConnection;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A send answered without its body (here: a bad token, 40001) must still leave the connection
 * usable. Before the fix the answer went out before the body had arrived, Jetty then closed the
 * connection, and a client that pooled it failed its next request ("received no bytes"): this
 * is what failed {@code TokenTest} on CI. A raw socket makes the timing certain: the headers go
 * first, the body only after the server has had time to answer without it.
 */
class KeepAliveTest {
  static WeChatSim sim;

  @BeforeAll
  static void start() {
    sim = WeChatSim.start(SimConfig.builder().port(0).app("wxapp1", "secret1").build());
  }

  @AfterAll
  static void stop() {
    sim.close();
  }

  @Test
  void templateSendWithLateBodyKeepsTheConnectionForTheNextRequest() throws IOException {
    assertLateBodyKeepsConnection(SendEndpointHandler.TEMPLATE_PATH);
  }

  @Test
  void subscribeSendWithLateBodyKeepsTheConnectionForTheNextRequest() throws IOException {
    assertLateBodyKeepsConnection(SendEndpointHandler.SUBSCRIBE_PATH);
  }

  /** Five connections: how Jetty treats an unread body after an answer varies from one to the next. */
  private static void assertLateBodyKeepsConnection(String path) throws IOException {
    for (int i = 0; i < 5; i++) lateBodyThenNextRequest(path);
  }

  private static void lateBodyThenNextRequest(String path) throws IOException {
    byte[] body = "{\"touser\":\"openid-1\",\"template_id\":\"TPL\",\"form_id\":\"f\",\"data\":{}}".getBytes(StandardCharsets.UTF_8);
    try (RawHttpConnection connection = RawHttpConnection.open(sim.port())) {
      connection.write("POST " + path + "?access_token=not-a-token HTTP/1.1\r\nHost: sim\r\n"
          + "Content-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n");
      // the server may answer before the body comes; a fixed one waits for the body instead
      List<String> answers = new ArrayList<>();
      connection.responseWithin(Duration.ofMillis(250)).ifPresent(answers::add);
      connection.write(body);
      connection.write("GET /cgi-bin/token?grant_type=client_credential&appid=wxapp1&secret=secret1 HTTP/1.1\r\nHost: sim\r\n\r\n");

      while (answers.size() < 2) answers.add(connection.response());

      assertThat(answers.get(0)).startsWith("HTTP/1.1 200").contains("40001");
      assertThat(answers.get(1)).startsWith("HTTP/1.1 200").contains("access_token");
    }
  }
}
