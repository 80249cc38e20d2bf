package io.wxpush.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.javalin.Javalin;
import io.wxpush.metrics.Registries;
import io.wxpush.testkit.RawHttpConnection;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A route that refuses a request before reading its body (the ingest API's 401 for a missing
 * session, say) must not leave a pooling client with a connection the server then closes: either
 * the answer says {@code Connection: close}, or the connection serves the next request.
 */
class HttpServerKeepAliveTest {
  static Javalin server;

  @BeforeAll
  static void start() {
    server = HttpServer.create(Registries.prometheus("test"), 64 * 1024, Map.of(), routes ->
        routes.post("/refuse", ctx -> {
          throw new ApiException(401, "unauthenticated", "no session");
        }));
    server.start("127.0.0.1", 0);
  }

  @AfterAll
  static void stop() {
    server.stop();
  }

  @Test
  void refusalBeforeTheBodyArrivesNeverStrandsAPooledConnection() throws IOException {
    byte[] body = "{\"credentials\":[]}".getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < 5; i++) {
      try (RawHttpConnection connection = RawHttpConnection.open(server.port())) {
        connection.write("POST /refuse HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: "
            + body.length + "\r\n\r\n");
        List<String> answers = new ArrayList<>();
        connection.responseWithin(Duration.ofMillis(250)).ifPresent(answers::add);
        connection.write(body);
        if (answers.isEmpty()) answers.add(connection.response());
        assertThat(answers.get(0)).startsWith("HTTP/1.1 401");
        if (answers.get(0).toLowerCase(Locale.ROOT).contains("connection: close")) continue;

        connection.write("GET /health HTTP/1.1\r\nHost: t\r\n\r\n");
        assertThat(connection.response()).startsWith("HTTP/1.1 200");
      }
    }
  }
}
