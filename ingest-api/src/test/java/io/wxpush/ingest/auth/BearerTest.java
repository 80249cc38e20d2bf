package io.wxpush.ingest.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.wxpush.ingest.RouteServer;
import io.wxpush.testkit.ApiClient;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** How {@code Authorization} headers read as a bearer token, through a real request. */
class BearerTest {
  private static RouteServer server;
  private static ApiClient client;

  @BeforeAll
  static void start() {
    server = RouteServer.start(routes -> routes.get("/probe", ctx -> ctx.json(Map.of("token", Bearer.token(ctx).orElse("<none>")))));
    client = server.client();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static String tokenOf(String authorization) throws Exception {
    Map<String, String> headers = authorization == null ? Map.of() : Map.of("Authorization", authorization);
    return client.send("GET", "/probe", headers, null).expect(200).body().path("token").asText();
  }

  @ParameterizedTest(name = "[{0}] -> {1}")
  @CsvSource(delimiter = '|', ignoreLeadingAndTrailingWhitespace = false, value = {
      "Bearer abc.def|abc.def",
      "bearer abc|abc",
      "BEARER abc|abc",
      "Bearer    abc|abc",
      "Bearer a b|a b",
      "Bearer x|x",
      "Bearer |<none>",
      "Bearer|<none>",
      "Bearerabc|<none>",
      "Basic abc|<none>",
      "Token abc|<none>",
      "abc|<none>",
  })
  void theTokenIsWhatFollowsTheBearerScheme(String authorization, String expected) throws Exception {
    assertThat(tokenOf(authorization)).isEqualTo(expected);
  }

  @Test
  void noHeaderIsNoToken() throws Exception {
    assertThat(tokenOf(null)).isEqualTo("<none>");
  }
}
