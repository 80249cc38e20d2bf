package io.wxpush.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.standardwebhooks.Webhook;
import com.sun.net.httpserver.HttpServer;
import io.wxpush.client.CallbackVerifier;
import io.wxpush.json.Json;
import io.wxpush.testkit.RealServices;
import io.wxpush.testkit.TestEnv;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Callbacks of two apps through one ingest-api (BRIEF §3 callbackUrl, v3): a receiver of app 1
 * that answers 200 and then never sends the body it announced holds neither app 2's callback nor
 * the dispatcher; each callback carries the Standard Webhooks headers beside X-Wxpush-Signature.
 */
@ExtendWith(RealServices.class)
class CallbackIsolationIT {
  private static final String APP_B = "wxapp2";
  private static final Duration CALLBACK_TIMEOUT = Duration.ofSeconds(8);

  /** One request a receiver read: its headers (names lower-cased) and body. */
  record Received(Map<String, List<String>> headers, byte[] body) {
    String header(String name) {
      List<String> v = headers.get(name.toLowerCase(Locale.ROOT));
      return v == null ? null : v.get(0);
    }
  }

  /**
   * A raw HTTP receiver: to its first request it answers {@code 200} with {@code Content-Length:
   * 1000000} and then sends nothing, holding the connection open; later requests get a plain 200.
   */
  static final class StallingReceiver implements AutoCloseable {
    final ServerSocket server;
    final List<Received> received = new CopyOnWriteArrayList<>();
    final List<Socket> held = new CopyOnWriteArrayList<>();
    private final Thread acceptor;

    StallingReceiver() throws IOException {
      server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      acceptor = Thread.ofPlatform().daemon().start(() -> {
        while (!server.isClosed()) {
          try {
            Socket s = server.accept();
            Thread.ofVirtual().start(() -> serve(s));
          } catch (IOException e) {
            return;
          }
        }
      });
    }

    private void serve(Socket s) {
      try {
        Received r = read(s.getInputStream());
        received.add(r);
        OutputStream out = s.getOutputStream();
        if (received.size() == 1) {
          out.write("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 1000000\r\n\r\nok".getBytes(StandardCharsets.US_ASCII));
          out.flush();
          held.add(s); // the rest of the body never comes
        } else {
          out.write("HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
          out.flush();
          s.close();
        }
      } catch (IOException e) {
        // the dispatcher gave up on the connection: as expected for the stalled one
      }
    }

    String url() {
      return "http://127.0.0.1:" + server.getLocalPort() + "/hook";
    }

    @Override
    public void close() throws IOException {
      server.close();
      for (Socket s : held) s.close();
      acceptor.interrupt();
    }
  }

  /** Reads one HTTP/1.1 request with a Content-Length body. */
  static Received read(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int last4 = 0;
    while (last4 != 0x0d0a0d0a) {
      int b = in.read();
      if (b < 0) throw new IOException("closed before the headers ended");
      head.write(b);
      last4 = (last4 << 8) | b;
    }
    Map<String, List<String>> headers = new HashMap<>();
    String[] lines = head.toString(StandardCharsets.ISO_8859_1).split("\r\n");
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      if (colon > 0) headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), List.of(lines[i].substring(colon + 1).trim()));
    }
    int length = Integer.parseInt(headers.getOrDefault("content-length", List.of("0")).get(0));
    return new Received(headers, in.readNBytes(length));
  }

  private static Map<String, Object> push(String appId, String requestId, String callbackUrl) {
    // users without credentials: the push ends at once (noCredential), which is all a callback needs
    return Map.of("requestId", requestId, "appId", appId, "kind", "template", "templateId", "TPL_ORDER", "data", Map.of("keyword1", "hi"),
        "audience", Map.of("openIds", List.of("o-" + requestId)), "callbackUrl", callbackUrl);
  }

  /** The value of {@code metric} for {@code app} on ingest-api's /metrics (-1 when it is not there). */
  private static double metric(Stack stack, String metric, String app) throws Exception {
    String text = stack.client.get("/metrics", null).text();
    Matcher m = Pattern.compile("(?m)^" + metric + "\\{([^}]*)\\} (\\S+)$").matcher(text);
    while (m.find()) if (app == null || m.group(1).contains("app=\"" + app + "\"")) return Double.parseDouble(m.group(2));
    return -1;
  }

  @Test
  void aReceiverThatNeverSendsItsBodyHoldsUpNeitherAnotherAppsCallbackNorTheDispatcher(TestEnv env) throws Exception {
    List<Received> normal = new CopyOnWriteArrayList<>();
    HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    receiver.createContext("/hook", exchange -> {
      Map<String, List<String>> headers = new HashMap<>();
      exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), v));
      normal.add(new Received(headers, exchange.getRequestBody().readAllBytes()));
      exchange.sendResponseHeaders(204, -1);
      exchange.close();
    });
    receiver.start();
    try (StallingReceiver stalling = new StallingReceiver();
        Stack stack = Stack.start(env, Map.of("CALLBACK_ALLOW_PRIVATE", "true", "CALLBACK_TIMEOUT", CALLBACK_TIMEOUT.toMillis() + "ms",
            "WECHAT_APPS", Stack.APP + ":" + Stack.APP_SECRET + "," + APP_B + ":app-secret-for-tests-2"), b -> b.app(APP_B, "app-secret-for-tests-2"))) {
      stack.worker("fanout,sender", Map.of());
      String first = stack.push(push(Stack.APP, "cb-stall", stalling.url()));
      await("app 1's receiver is called").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
          .until(() -> stalling.received.size() == 1);

      // app 2's push and callback go through while app 1's receiver holds its POST
      String second = stack.push(push(APP_B, "cb-normal", "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook"));
      await("app 2's callback").atMost(Duration.ofSeconds(6)).pollInterval(Duration.ofMillis(100)).until(() -> normal.size() == 1);
      assertThat(stalling.received).as("app 1's POST is still held").hasSize(1);
      assertThat(metric(stack, "wxpush_callbacks_in_flight", Stack.APP)).as("app 1's stalled POST, in flight").isEqualTo(1);
      assertThat(metric(stack, "wxpush_callbacks_in_flight", APP_B)).as("app 2's slots, all free again").isZero();
      Received delivered = normal.getFirst();
      JsonNode status = Json.MAPPER.readTree(delivered.body());
      assertThat(status.path("requestId").asText()).isEqualTo(second);
      assertThat(status.path("appId").asText()).isEqualTo(APP_B);
      assertThat(status.path("state").asText()).isEqualTo("done");

      // both signatures, with the Standard Webhooks reference library and with wxpush's client
      new Webhook(Stack.API_KEY.getBytes(StandardCharsets.UTF_8)).verify(new String(delivered.body(), StandardCharsets.UTF_8), delivered.headers());
      CallbackVerifier.of(Stack.API_KEY).verify(delivered.body(), delivered.headers());
      assertThat(CallbackVerifier.of("some-other-push-api-key-0123456789").isValid(delivered.body(), delivered::header)).isFalse();

      // the stalled POST ends at CALLBACK_TIMEOUT, body included; app 1's callback is tried again and delivered
      assertThat(metric(stack, "wxpush_callbacks_stuck", null)).as("no POST outlives its deadline").isZero();
      await("app 1's retry").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).until(() -> stalling.received.size() == 2);
      Received retry = stalling.received.get(1);
      assertThat(Json.MAPPER.readTree(retry.body()).path("requestId").asText()).isEqualTo(first);
      assertThat(retry.header("webhook-id")).as("the same message, tried again").isEqualTo(stalling.received.get(0).header("webhook-id"));
      CallbackVerifier.of(Stack.API_KEY).verify(retry.body(), retry.headers());
      await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(100))
          .until(() -> metric(stack, "wxpush_callbacks_in_flight", Stack.APP) == 0);
      Stack.staysTrue(Duration.ofSeconds(3), () -> stalling.received.size() == 2 && normal.size() == 1); // each delivered once
      assertThat(metric(stack, "wxpush_callbacks_stuck", null)).isZero();
    } finally {
      receiver.stop(0);
    }
  }
}
