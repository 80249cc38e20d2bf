package io.wxpush.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.wxpush.secret.Secret;
import io.wxpush.testkit.ApiClient;
import io.wxpush.testkit.PrivateService;
import io.wxpush.testkit.RealServices;
import io.wxpush.testkit.TestEnv;
import io.wxpush.wechat.push.MessagePushCrypto;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The message-push endpoint's nonce memory: within the 5-minute window a signed
 * request whose event was already taken is answered {@code success} and changes nothing, while
 * WeChat's retry of a request that got no {@code success} (same timestamp, nonce and signatures)
 * is still taken.
 */
@ExtendWith(RealServices.class)
class EventReplayIT {
  private static final String TOKEN = "pushtoken1";
  private static final String AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";
  private static final MessagePushCrypto CRYPTO = new MessagePushCrypto(Stack.APP, Secret.of(TOKEN), Optional.of(Secret.of(AES_KEY)));

  private static Map<String, String> settings() {
    return Map.of("WECHAT_APPS", Stack.APP + ":" + Stack.APP_SECRET + ":" + TOKEN + ":" + AES_KEY, "GRANT_SOURCE", Stack.APP + ":events");
  }

  /** One signed, safe-mode request as WeChat posts it (the query and the body), ready to post again byte for byte. */
  private record Signed(String query, String body) {
    static Signed of(String event, String openId, String answer, long createTime, String timestamp, String nonce) {
      String plain = "{\"ToUserName\":\"gh\",\"FromUserName\":\"" + openId + "\",\"CreateTime\":" + createTime + ",\"MsgType\":\"event\","
          + "\"Event\":\"" + event + "\",\"List\":{\"TemplateId\":\"TPL_SUB\",\"SubscribeStatusString\":\"" + answer + "\"}}";
      String encrypted = CRYPTO.encrypt(plain);
      return new Signed("signature=" + CRYPTO.sign(timestamp, nonce) + "&timestamp=" + timestamp + "&nonce=" + nonce
          + "&encrypt_type=aes&msg_signature=" + CRYPTO.sign(timestamp, nonce, encrypted), "{\"ToUserName\":\"gh\",\"Encrypt\":\"" + encrypted + "\"}");
    }

    ApiClient.Reply post(Stack stack) throws Exception {
      return stack.client.send("POST", "/v1/wechat/" + Stack.APP + "/events?" + query, Map.of("Content-Type", "application/json"),
          body.getBytes(StandardCharsets.UTF_8));
    }
  }

  private static int grants(Stack stack, String openId) throws Exception {
    return stack.client.userCredentials(Stack.API_KEY, Stack.APP, openId).body().path("grants").path("TPL_SUB").asInt();
  }

  private static void assertSuccess(ApiClient.Reply reply) {
    assertThat(reply.status()).as(reply.text()).isEqualTo(200);
    assertThat(reply.text()).isEqualTo("success");
  }

  @Test
  void aRejectPostedAgainWithinTheWindowIsAnsweredSuccessAndLeavesTheGrantCollectedSinceInPlace(TestEnv env) throws Exception {
    try (Stack stack = Stack.start(env, settings())) {
      stack.worker("credentials", Map.of());
      long now = System.currentTimeMillis() / 1000;
      String ts = Long.toString(now);
      assertSuccess(Signed.of("subscribe_msg_popup_event", "o-victim", "accept", now - 2, ts, "n-accept-1").post(stack));
      await().atMost(Duration.ofSeconds(30)).until(() -> grants(stack, "o-victim") == 1);

      Signed reject = Signed.of("subscribe_msg_change_event", "o-victim", "reject", now - 1, ts, "n-reject");
      assertSuccess(reject.post(stack));
      await().atMost(Duration.ofSeconds(30)).until(() -> grants(stack, "o-victim") == 0);

      // the user accepts again (a new popup, a new CreateTime): one grant
      assertSuccess(Signed.of("subscribe_msg_popup_event", "o-victim", "accept", now, ts, "n-accept-2").post(stack));
      await().atMost(Duration.ofSeconds(30)).until(() -> grants(stack, "o-victim") == 1);

      // someone who saw the reject (a proxy's log) posts it again, within the window: answered as taken, changes nothing
      assertSuccess(reject.post(stack));
      Stack.staysTrue(Duration.ofSeconds(3), () -> grants(stack, "o-victim") == 1);
      String metrics = stack.client.get("/metrics", null).text();
      assertThat(metrics).containsPattern("wxpush_wechat_events_total\\{[^}]*event=\"replayed\"[^}]*} 1\\.0");
    }
  }

  @Test
  void aPlaintextRejectPostedAgainWithItsSignatureInCapitalsAnUncheckedParameterOrAnotherBodyChangesNothing(TestEnv env) throws Exception {
    // an app without an EncodingAESKey: plaintext mode, where the signature covers only token, timestamp and nonce
    try (Stack stack = Stack.start(env, Map.of("WECHAT_APPS", Stack.APP + ":" + Stack.APP_SECRET + ":" + TOKEN, "GRANT_SOURCE",
        Stack.APP + ":events"))) {
      stack.worker("credentials", Map.of());
      MessagePushCrypto plain = new MessagePushCrypto(Stack.APP, Secret.of(TOKEN), Optional.empty());
      long now = System.currentTimeMillis() / 1000;
      String ts = Long.toString(now);
      BiFunction<String, String, String> query = (nonce, signature) ->
          "signature=" + signature + "&timestamp=" + ts + "&nonce=" + nonce;
      BiFunction<String, Long, String> body = (answer, createTime) -> "{\"ToUserName\":\"gh\",\"FromUserName\":\"o-plain\","
          + "\"CreateTime\":" + createTime + ",\"MsgType\":\"event\",\"Event\":\"" + ("accept".equals(answer) ? "subscribe_msg_popup_event"
          : "subscribe_msg_change_event") + "\",\"List\":{\"TemplateId\":\"TPL_SUB\",\"SubscribeStatusString\":\"" + answer + "\"}}";
      assertSuccess(post(stack, query.apply("p-accept-1", plain.sign(ts, "p-accept-1")), body.apply("accept", now - 2)));
      await().atMost(Duration.ofSeconds(30)).until(() -> grants(stack, "o-plain") == 1);
      String reject = query.apply("p-reject", plain.sign(ts, "p-reject"));
      assertSuccess(post(stack, reject, body.apply("reject", now - 1)));
      await().atMost(Duration.ofSeconds(30)).until(() -> grants(stack, "o-plain") == 0);
      assertSuccess(post(stack, query.apply("p-accept-2", plain.sign(ts, "p-accept-2")), body.apply("accept", now)));
      await().atMost(Duration.ofSeconds(30)).until(() -> grants(stack, "o-plain") == 1);

      // the signature check is case-blind, msg_signature is checked only in safe mode, and nothing signs a plaintext body:
      // none of them makes the seen request a new one
      assertSuccess(post(stack, query.apply("p-reject", plain.sign(ts, "p-reject").toUpperCase(Locale.ROOT)), body.apply("reject", now - 1)));
      assertSuccess(post(stack, reject + "&msg_signature=" + "0".repeat(40), body.apply("reject", now - 1)));
      assertSuccess(post(stack, reject, body.apply("reject", now + 1)));
      Stack.staysTrue(Duration.ofSeconds(3), () -> grants(stack, "o-plain") == 1);
    }
  }

  private static ApiClient.Reply post(Stack stack, String query, String body) throws Exception {
    return stack.client.send("POST", "/v1/wechat/" + Stack.APP + "/events?" + query, Map.of("Content-Type", "application/json"),
        body.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void aRequestAnswered503IsTakenWhenWeChatRetriesItWithTheSameTimestampAndNonce(TestEnv env) throws Exception {
    try (PrivateService kafka = PrivateService.kafka()) {
      Map<String, String> settings = new HashMap<>(settings());
      settings.put("KAFKA_BOOTSTRAP_SERVERS", kafka.address());
      try (Stack stack = Stack.start(env, settings)) {
        stack.worker("credentials", Map.of());
        String ts = Long.toString(System.currentTimeMillis() / 1000);
        Signed accept = Signed.of("subscribe_msg_popup_event", "o-retried", "accept", Long.parseLong(ts), ts, "n-retried");

        kafka.stop();
        ApiClient.Reply first = accept.post(stack);
        assertThat(first.status()).as(first.text()).isEqualTo(503);

        kafka.restart();
        // WeChat posts the same request again (same timestamp, nonce and signatures) until it gets success
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1)).until(() -> accept.post(stack).status() == 200);
        await().atMost(Duration.ofSeconds(60)).until(() -> grants(stack, "o-retried") == 1);
      }
    }
  }
}
