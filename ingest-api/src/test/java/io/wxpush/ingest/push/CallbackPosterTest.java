package io.wxpush.ingest.push;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.wxpush.client.CallbackVerifier;
import io.wxpush.secret.Secret;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import java.io.IOException;

/** One callback POST against real local servers: one look-up, the checked address used, a hard deadline, both signatures. */
class CallbackPosterTest {
  private static final String KEY = "push-api-key-for-tests-0123456789";
  private static final byte[] BODY = "{\"requestId\":\"r-1\",\"state\":\"done\"}".getBytes(StandardCharsets.UTF_8);
  private HttpServer receiver;
  private final List<Map<String, List<String>>> received = new CopyOnWriteArrayList<>();
  private final List<byte[]> bodies = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() throws Exception {
    receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    receiver.createContext("/hook", exchange -> {
      received.add(new HashMap<>(exchange.getRequestHeaders()));
      bodies.add(exchange.getRequestBody().readAllBytes());
      exchange.sendResponseHeaders(204, -1);
      exchange.close();
    });
    receiver.start();
  }

  @AfterEach
  void stop() {
    receiver.stop(0);
  }

  private String url(String host) {
    return "http://" + host + ":" + receiver.getAddress().getPort() + "/hook";
  }

  @Test
  void theAddressResolvedOnceAndCheckedIsTheOneConnectedTo() throws Exception {
    AtomicInteger lookUps = new AtomicInteger();
    // a rebinding DNS: the first answer is the receiver, any later one an address nobody listens on
    CallbackPoster.Resolver rebinding = host -> lookUps.incrementAndGet() == 1 ? new InetAddress[] {InetAddress.getLoopbackAddress()}
        : new InetAddress[] {InetAddress.getByName("10.255.255.1")};
    try (CallbackPoster poster = new CallbackPoster(Duration.ofSeconds(3), true, Clock.systemUTC(), rebinding)) {
      CallbackPoster.Result result = poster.post(url("callbacks.example"), Secret.of(KEY), "msg_1", BODY);
      assertThat(result).isInstanceOf(CallbackPoster.Result.Delivered.class);
    }
    assertThat(lookUps.get()).as("one look-up").isEqualTo(1);
    assertThat(received.getFirst().get("Host")).as("the host name is kept").containsExactly("callbacks.example:" + receiver.getAddress().getPort());
  }

  @Test
  void aHostThatResolvesToAnInternalAddressIsRefusedWithoutAConnection() {
    CallbackPoster.Resolver internal = host -> new InetAddress[] {InetAddress.getLoopbackAddress()};
    try (CallbackPoster poster = new CallbackPoster(Duration.ofSeconds(3), false, Clock.systemUTC(), internal)) {
      assertThat(poster.post(url("callbacks.example"), Secret.of(KEY), "msg_1", BODY))
          .isEqualTo(new CallbackPoster.Result.Refused("refused_internal_address"));
    }
    assertThat(received).isEmpty();
  }

  @Test
  void aCallbackCarriesBothSignaturesTheVerifierAccepts() throws Exception {
    try (CallbackPoster poster = new CallbackPoster(Duration.ofSeconds(3), true, Clock.systemUTC())) {
      assertThat(poster.post(url("127.0.0.1"), Secret.of(KEY), CallbackSignatures.messageId("wxapp1", "r-1"), BODY))
          .isInstanceOf(CallbackPoster.Result.Delivered.class);
    }
    Map<String, List<String>> headers = received.getFirst();
    CallbackVerifier.of(KEY).verify(bodies.getFirst(), headers);
    assertThat(headers.get("Webhook-id")).containsExactly(CallbackSignatures.messageId("wxapp1", "r-1"));
    assertThat(CallbackSignatures.messageId("wxapp1", "r-1")).as("the same requestId in another app is another message")
        .isNotEqualTo(CallbackSignatures.messageId("wxapp2", "r-1"));
  }

  @Test
  void anAnswerWhoseBodyNeverComesEndsTheAttemptAtTheDeadline() throws Exception {
    List<Socket> held = new CopyOnWriteArrayList<>();
    try (ServerSocket stalling = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
      Thread.ofVirtual().start(() -> {
        try {
          Socket s = stalling.accept();
          held.add(s);
          s.getInputStream().read(new byte[4096]);
          s.getOutputStream().write("HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
          s.getOutputStream().flush(); // and nothing more
        } catch (IOException e) {
          // closed by the test
        }
      });
      long started = System.nanoTime();
      try (CallbackPoster poster = new CallbackPoster(Duration.ofSeconds(1), true, Clock.systemUTC())) {
        CallbackPoster.Result result = poster.post("http://127.0.0.1:" + stalling.getLocalPort() + "/hook", Secret.of(KEY), "msg_1", BODY);
        assertThat(result).isEqualTo(new CallbackPoster.Result.Failed("timeout"));
      }
      assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(3));
    } finally {
      for (Socket s : held) s.close();
    }
  }
}
