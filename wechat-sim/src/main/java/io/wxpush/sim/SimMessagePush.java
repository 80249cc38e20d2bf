package io.wxpush.sim;

import io.wxpush.sim.push.PushCipher;
import io.wxpush.sim.push.PushEnvelope;
import io.wxpush.sim.push.PushEvent;
import io.wxpush.sim.push.PushFormat;
import io.wxpush.sim.push.PushMode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * WeChat's side of message push: each app's configured URL, Token, EncodingAESKey, mode and
 * format, and the delivery of events to it as WeChat does it — signed with the token, in
 * plaintext, compatible (plaintext and {@code Encrypt}) or safe ({@code Encrypt} only) mode, JSON
 * or XML, the {@code List} an object for one item and an array for several; an answer other than
 * {@code success} (or an empty body) within 5 s is retried, up to 3 times. Deliveries run on
 * virtual threads: the control call that raised an event returns before it lands. Bodies and
 * signatures come from the sim's own codec and cipher ({@link PushEnvelope}, {@link PushCipher}),
 * never from wxpush's. Thread-safe.
 */
final class SimMessagePush {
  /**
   * Where and how an app's events are pushed.
   *
   * @param sentEvents whether every subscribe message delivered raises a {@code subscribe_msg_sent_event}
   *     (as WeChat does; on unless turned off), also when the send's answer is then lost
   */
  record Target(URI url, String token, String encodingAesKey, PushMode mode, PushFormat format, boolean sentEvents) {
    Target {
      if (token == null || !token.matches("[A-Za-z0-9]{3,32}")) throw new IllegalArgumentException("token must be 3-32 letters or digits");
      if (mode.encrypts()) PushCipher.aesKey(encodingAesKey);
    }
  }

  private static final int RETRIES = 3;
  private final Map<String, Target> targets = new ConcurrentHashMap<>();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final SimClock clock;
  private final Duration retryDelay;
  private final AtomicLong attempts = new AtomicLong();
  private final AtomicLong accepted = new AtomicLong();
  private final AtomicLong abandoned = new AtomicLong();

  SimMessagePush(SimClock clock, Duration retryDelay) {
    this.clock = clock;
    this.retryDelay = retryDelay;
  }

  void configure(String appId, Target target) {
    targets.put(appId, target);
  }

  Optional<Target> target(String appId) {
    return Optional.ofNullable(targets.get(appId));
  }

  /** WeChat's word on a subscribe message it delivered: a {@code subscribe_msg_sent_event}, ErrorCode 0, when the app wants them. */
  void delivered(String appId, String openId, String templateId, long msgid) {
    Target t = targets.get(appId);
    if (t == null || !t.sentEvents()) return;
    push(appId, openId, "subscribe_msg_sent_event", "SubscribeMsgSentEvent", List.of(Map.of("TemplateId", templateId, "MsgID",
        Long.toString(msgid), "ErrorCode", "0", "ErrorStatus", "success")), 1);
  }

  void clear() {
    targets.clear();
  }

  /** {attempts, accepted, abandoned}: every POST made, those answered {@code success}, events given up after the retries. */
  Map<String, Long> stats() {
    return Map.of("attempts", attempts.get(), "accepted", accepted.get(), "abandoned", abandoned.get());
  }

  /**
   * Pushes one event of {@code openId} to the app's URL, {@code deliveries} times (more than once:
   * as WeChat does when it did not see the answer in time). Returns the CreateTime used.
   *
   * @param wrapper the XML element WeChat wraps the items in ({@code SubscribeMsgPopupEvent}, …)
   */
  long push(String appId, String openId, String event, String wrapper, List<Map<String, String>> items, int deliveries) {
    Target t = targets.get(appId);
    if (t == null) throw new IllegalArgumentException("no message-push URL is configured for " + appId + " (PUT /sim/apps/{appId}/message-push)");
    long createTime = clock.nowMillis() / 1000;
    PushEvent e = new PushEvent("gh_" + appId, openId, createTime, event, wrapper, items);
    for (int i = 0; i < deliveries; i++) Thread.ofVirtual().name("sim-message-push").start(() -> deliver(appId, t, e));
    return createTime;
  }

  private void deliver(String appId, Target t, PushEvent e) {
    String timestamp = Long.toString(clock.nowMillis() / 1000);
    String nonce = UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    StringBuilder query = new StringBuilder("signature=").append(PushCipher.signature(t.token(), timestamp, nonce))
        .append("&timestamp=").append(timestamp).append("&nonce=").append(nonce).append("&openid=").append(enc(e.fromUserName()));
    String body = PushEnvelope.plaintext(e, t.format());
    if (t.mode().encrypts()) {
      String encrypted = new PushCipher(appId, t.encodingAesKey()).encrypt(body);
      query.append("&encrypt_type=aes&msg_signature=").append(PushCipher.signature(t.token(), timestamp, nonce, encrypted));
      body = PushEnvelope.encrypted(e, t.format(), t.mode(), encrypted);
    }
    URI uri = URI.create(t.url() + (t.url().getQuery() == null ? "?" : "&") + query);
    for (int attempt = 0; attempt <= RETRIES; attempt++) {
      attempts.incrementAndGet();
      try {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5))
            .header("Content-Type", t.format().contentType())
            .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        String answer = r.body() == null ? "" : r.body().strip();
        if (r.statusCode() == 200 && (answer.isEmpty() || answer.equals("success"))) {
          accepted.incrementAndGet();
          return;
        }
      } catch (IOException ex) {
        // no answer: tried again
      } catch (InterruptedException ex) {
        Thread.currentThread().interrupt();
        return;
      }
      try {
        Thread.sleep(retryDelay.toMillis());
      } catch (InterruptedException ex) {
        Thread.currentThread().interrupt();
        return;
      }
    }
    abandoned.incrementAndGet();
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
