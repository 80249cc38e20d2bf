package io.wxpush.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.wxpush.testkit.JarProcess;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WeChatSimJarIT {
  private static final HttpClient CLIENT = HttpClient.newHttpClient();

  private static int freePort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private static HttpResponse<String> call(HttpRequest request) {
    try {
      return CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void standaloneJarServesPreregisteredTemplatesFromTheEnvironment() throws Exception {
    int port = freePort();
    String base = "http://127.0.0.1:" + port;
    try (JarProcess sim = JarProcess.start(JarProcess.moduleJar("wechat-sim"), Map.of(
        "HTTP_PORT", Integer.toString(port),
        "WECHAT_APPS", "wxapp1:secret1",
        "SIM_TEMPLATES", "wxapp1:TPL_ORDER:template:keyword1|keyword2"))) {
      await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
          .until(() -> call(HttpRequest.newBuilder(URI.create(base + "/health")).build()).statusCode() == 200);

      String formIds = call(HttpRequest.newBuilder(URI.create(base + "/sim/users/wxapp1/u1/form-ids"))
          .POST(HttpRequest.BodyPublishers.noBody()).build()).body();
      String formId = formIds.replaceAll(".*\\[\"([^\"]+)\".*", "$1");
      String tokenAnswer = call(HttpRequest.newBuilder(URI.create(base + "/cgi-bin/token?grant_type=client_credential&appid=wxapp1&secret=secret1")).build()).body();
      String token = tokenAnswer.replaceAll(".*\"access_token\":\"([^\"]+)\".*", "$1");
      String sent = call(HttpRequest.newBuilder(URI.create(base + "/cgi-bin/message/wxopen/template/send?access_token=" + token))
          .POST(HttpRequest.BodyPublishers.ofString("{\"touser\":\"u1\",\"template_id\":\"TPL_ORDER\",\"form_id\":\"" + formId
              + "\",\"data\":{\"keyword1\":{\"value\":\"hi\"}}}")).build()).body();

      assertThat(sent).contains("\"errcode\":0");
      assertThat(sim.output()).doesNotContain("secret1").doesNotContain(token);
    }
  }

  @Test
  void missingAppsExitWithStatus2NamingTheVariable() throws Exception {
    try (JarProcess sim = JarProcess.start(JarProcess.moduleJar("wechat-sim"), Map.of("HTTP_PORT", Integer.toString(freePort())))) {
      assertThat(sim.waitFor(Duration.ofSeconds(30))).isEqualTo(2);
      assertThat(sim.output()).contains("WECHAT_APPS");
    }
  }
}
