package io.wxpush.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.wxpush.secret.Secret;
import io.wxpush.kafka.Topics;
import io.wxpush.sim.SimTemplate;
import io.wxpush.testkit.ApiClient;
import io.wxpush.testkit.RealServices;
import io.wxpush.testkit.TestEnv;
import io.wxpush.wechat.push.MessagePushCrypto;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import io.wxpush.json.Json;

/**
 * WeChat's message push, end to end with the sim as WeChat: the URL check, popup and settings
 * events in every mode and format (and WeChat's retries of them), late failures of sent messages,
 * and what is refused (BRIEF §3 v2, issue 16).
 */
@ExtendWith(RealServices.class)
class WeChatEventsIT {
  private static final String TOKEN = "pushtoken1";
  private static final String AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";
  /** An app whose message push runs in plaintext mode: no EncodingAESKey configured. */
  private static final String PLAIN_APP = "wxplain";
  private Stack stack;
  private TestEnv env;

  @BeforeEach
  void start(TestEnv env) {
    this.env = env;
    stack = Stack.start(env, Map.of("WECHAT_APPS", Stack.APP + ":" + Stack.APP_SECRET + ":" + TOKEN + ":" + AES_KEY + ","
        + PLAIN_APP + ":plain-secret:" + TOKEN, "GRANT_SOURCE", Stack.APP + ":events," + PLAIN_APP + ":events"), b -> b.app(PLAIN_APP, "plain-secret")
        .template(new SimTemplate(PLAIN_APP, "TPL_SUB", SimTemplate.Kind.SUBSCRIBE, List.of("thing1"), Set.of()))
        .template(new SimTemplate(PLAIN_APP, "TPL_OTHER", SimTemplate.Kind.SUBSCRIBE, List.of("thing1"), Set.of())));
  }

  @AfterEach
  void stop() {
    stack.close();
  }

  private URI eventsUrl(String app) {
    return URI.create(stack.client.base() + "/v1/wechat/" + app + "/events");
  }

  /** WeChat pushes the events of {@link Stack#APP} (EncodingAESKey configured) in {@code mode}: compatible or safe. */
  private void pushTo(String mode, String format) {
    stack.sim.configureMessagePush(Stack.APP, eventsUrl(Stack.APP), TOKEN, AES_KEY, mode, format);
  }

  private int grants(String openId, String template) throws Exception {
    return grants(Stack.APP, openId, template);
  }

  private int grants(String app, String openId, String template) throws Exception {
    return stack.client.userCredentials(Stack.API_KEY, app, openId).body().path("grants").path(template).asInt();
  }

  private static String now() {
    return Long.toString(System.currentTimeMillis() / 1000);
  }

  private JsonNode awaitDone(String rid) {
    return await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
        .until(() -> stack.status(rid), s -> "done".equals(s.path("state").asText()));
  }

  private static Map<String, Object> subscribe(Map<String, Object> audience) {
    return Map.of("appId", Stack.APP, "kind", "subscribe", "templateId", "TPL_SUB", "data", Map.of("thing1", "shipped"), "audience", audience);
  }

  @Test
  void theConsolesUrlCheckIsAnsweredWithTheEchoOnlyWhenSigned() throws Exception {
    MessagePushCrypto crypto = new MessagePushCrypto(Stack.APP, Secret.of(TOKEN), Optional.empty());
    String ts = now(); // the console checks the URL as it is saved: a current timestamp
    String nonce = "n0nce";
    String path = "/v1/wechat/" + Stack.APP + "/events?timestamp=" + ts + "&nonce=" + nonce + "&echostr=hello123&signature=";
    ApiClient.Reply ok = stack.client.get(path + crypto.sign(ts, nonce), null);
    assertThat(ok.status()).isEqualTo(200);
    assertThat(ok.text()).isEqualTo("hello123");
    assertThat(stack.client.get(path + "0".repeat(40), null).status()).isEqualTo(401);
    assertThat(stack.client.get("/v1/wechat/wxnope/events?signature=x&timestamp=1&nonce=1&echostr=e", null).status()).isEqualTo(404);
  }

  @Test
  void aPopupAcceptInEveryModeAndFormatIsOneGrantHoweverOftenWeChatSendsIt() throws Exception {
    stack.worker("credentials", Map.of());
    int user = 0;
    for (String mode : List.of("plaintext", "compatible", "safe")) {
      // plaintext mode is an app without an EncodingAESKey: one that has a key takes only encrypted requests
      String app = mode.equals("plaintext") ? PLAIN_APP : Stack.APP;
      for (String format : List.of("json", "xml")) {
        String openId = "o-" + mode + "-" + format + "-" + user++;
        stack.sim.configureMessagePush(app, eventsUrl(app), TOKEN, AES_KEY, mode, format);
        stack.sim.answerPopup(app, openId, Map.of("TPL_SUB", "accept", "TPL_OTHER", "reject"), 3);
        await(mode + "/" + format).atMost(Duration.ofSeconds(30)).until(() -> grants(app, openId, "TPL_SUB") == 1);
        Stack.staysTrue(Duration.ofSeconds(1), () -> grants(app, openId, "TPL_SUB") == 1);
        assertThat(grants(app, openId, "TPL_OTHER")).isZero();
      }
    }
    assertThat(stack.sim.messagePushStats().get("abandoned")).as("every delivery answered success").isZero();
    assertThat(stack.sim.messagePushStats().get("accepted")).isEqualTo(18);
  }

  @Test
  void aRejectInSettingsEmptiesTheGrantsAndTheNextPushSkipsTheUserWithoutAWeChatCall() throws Exception {
    stack.worker("credentials,fanout,sender", Map.of());
    pushTo("safe", "json");
    for (String u : List.of("o-keep", "o-off")) stack.sim.answerPopup(Stack.APP, u, Map.of("TPL_SUB", "accept"), 1);
    nextSecond(); // a second popup is a second event: its CreateTime differs (one second's accepts of a template are one event)
    for (String u : List.of("o-keep", "o-off")) stack.sim.answerPopup(Stack.APP, u, Map.of("TPL_SUB", "accept"), 1);
    await().atMost(Duration.ofSeconds(30)).until(() -> grants("o-keep", "TPL_SUB") == 2 && grants("o-off", "TPL_SUB") == 2);

    stack.sim.rejectInSettings(Stack.APP, "o-off", List.of("TPL_SUB"), 2);
    await().atMost(Duration.ofSeconds(30)).until(() -> grants("o-off", "TPL_SUB") == 0);
    long sendsBefore = stack.sim.errcodeCounts().values().stream().mapToLong(Long::longValue).sum();

    String rid = stack.push(subscribe(Map.of("openIds", List.of("o-keep", "o-off"))));
    JsonNode status = awaitDone(rid);
    assertThat(status.get("sent").asLong()).isEqualTo(1);
    assertThat(status.get("noCredential").asLong()).isEqualTo(1);
    assertThat(stack.sim.errcodeCounts().getOrDefault(43101, 0L)).as("no send spent on the user who turned it off").isZero();
    long sends = stack.sim.errcodeCounts().values().stream().mapToLong(Long::longValue).sum() - sendsBefore;
    assertThat(sends).as("one WeChat call, for o-keep").isEqualTo(1);
  }

  @Test
  void aLateFailureOfASentMessageShowsInItsPushAndTheMsgidIsInTheResults() throws Exception {
    stack.worker("credentials,fanout,sender", Map.of());
    pushTo("compatible", "xml");
    stack.sim.answerPopup(Stack.APP, "o-late", Map.of("TPL_SUB", "accept"), 1);
    await().atMost(Duration.ofSeconds(30)).until(() -> grants("o-late", "TPL_SUB") == 1);
    String rid = stack.push(subscribe(Map.of("openIds", List.of("o-late"))));
    awaitDone(rid);
    long msgid = stack.sim.inbox(Stack.APP, "o-late").get(0).msgid();
    assertThat(msgid).isPositive();

    stack.sim.failDelivered(Stack.APP, "o-late", msgid, 10005, 3); // WeChat's retries count once
    await().atMost(Duration.ofSeconds(30)).until(() -> stack.status(rid).path("byReason").path("async_10005").asInt() == 1);
    Stack.staysTrue(Duration.ofSeconds(1), () -> stack.status(rid).path("byReason").path("async_10005").asInt() == 1);
    assertThat(stack.status(rid).get("sent").asInt()).as("it was sent; WeChat lost it later").isEqualTo(1);

    List<JsonNode> results = results();
    assertThat(results).anySatisfy(r -> {
      assertThat(r.get("requestId").asText()).isEqualTo(rid);
      assertThat(r.get("msgid").asLong()).isEqualTo(msgid);
    });
  }

  @Test
  void aBadSignatureOrAMessageForAnotherAppChangesNothing() throws Exception {
    stack.worker("credentials", Map.of());
    String body = "{\"ToUserName\":\"gh\",\"FromUserName\":\"o-forged\",\"CreateTime\":1700000000,\"MsgType\":\"event\","
        + "\"Event\":\"subscribe_msg_popup_event\",\"List\":{\"TemplateId\":\"TPL_SUB\",\"SubscribeStatusString\":\"accept\"}}";
    MessagePushCrypto crypto = new MessagePushCrypto(Stack.APP, Secret.of(TOKEN), Optional.of(Secret.of(AES_KEY)));
    String ts = Long.toString(System.currentTimeMillis() / 1000);
    ApiClient.Reply forged = post("signature=" + "a".repeat(40) + "&timestamp=" + ts + "&nonce=n1", body);
    assertThat(forged.status()).isEqualTo(401);
    assertThat(forged.errorCode()).isEqualTo("invalid_signature");

    // safe mode, signed with this app's token, but encrypted for another app
    MessagePushCrypto other = new MessagePushCrypto("wxother", Secret.of(TOKEN), Optional.of(Secret.of(AES_KEY)));
    String encrypted = other.encrypt(body);
    String safe = "{\"ToUserName\":\"gh\",\"Encrypt\":\"" + encrypted + "\"}";
    ApiClient.Reply wrongApp = post("signature=" + crypto.sign(ts, "n2") + "&timestamp=" + ts + "&nonce=n2&encrypt_type=aes&msg_signature="
        + crypto.sign(ts, "n2", encrypted), safe);
    assertThat(wrongApp.status()).isEqualTo(401);
    assertThat(wrongApp.errorCode()).isEqualTo("wrong_app");
    // the msg_signature must cover the Encrypt
    ApiClient.Reply unsigned = post("signature=" + crypto.sign(ts, "n3") + "&timestamp=" + ts + "&nonce=n3&encrypt_type=aes&msg_signature="
        + crypto.sign(ts, "n3"), "{\"ToUserName\":\"gh\",\"Encrypt\":\"" + crypto.encrypt(body) + "\"}");
    assertThat(unsigned.status()).isEqualTo(401);

    Stack.staysTrue(Duration.ofSeconds(2), () -> grants("o-forged", "TPL_SUB") == 0); // nothing was stored for any of them

    // the same body, rightly signed and encrypted, is taken: the refusals above were for the signatures alone
    String mine = crypto.encrypt(body);
    assertThat(post("signature=" + crypto.sign(ts, "n4") + "&timestamp=" + ts + "&nonce=n4&encrypt_type=aes&msg_signature="
        + crypto.sign(ts, "n4", mine), "{\"ToUserName\":\"gh\",\"Encrypt\":\"" + mine + "\"}").text()).isEqualTo("success");
    await().atMost(Duration.ofSeconds(30)).until(() -> grants("o-forged", "TPL_SUB") == 1);
  }

  /** A signed, encrypted popup accept of {@code openId} for TPL_SUB, posted with {@code timestamp} (seconds). */
  private ApiClient.Reply popupAccept(String openId, String timestamp, String nonce) throws Exception {
    String body = "{\"ToUserName\":\"gh\",\"FromUserName\":\"" + openId + "\",\"CreateTime\":" + timestamp + ",\"MsgType\":\"event\","
        + "\"Event\":\"subscribe_msg_popup_event\",\"List\":{\"TemplateId\":\"TPL_SUB\",\"SubscribeStatusString\":\"accept\"}}";
    MessagePushCrypto crypto = new MessagePushCrypto(Stack.APP, Secret.of(TOKEN), Optional.of(Secret.of(AES_KEY)));
    String encrypted = crypto.encrypt(body);
    return post("signature=" + crypto.sign(timestamp, nonce) + "&timestamp=" + timestamp + "&nonce=" + nonce + "&encrypt_type=aes&msg_signature="
        + crypto.sign(timestamp, nonce, encrypted), "{\"ToUserName\":\"gh\",\"Encrypt\":\"" + encrypted + "\"}");
  }

  @Test
  void aSignedPopupEventWithADayOldTimestampIsRefusedAndGrantsNothingWhileTheSameEventFreshIsTaken() throws Exception {
    stack.worker("credentials", Map.of());
    String dayOld = Long.toString(System.currentTimeMillis() / 1000 - 86_400);
    ApiClient.Reply replayed = popupAccept("o-replay", dayOld, "n-old");
    assertThat(replayed.status()).as(replayed.text()).isEqualTo(401);
    assertThat(replayed.errorCode()).isEqualTo("stale_event");
    String ahead = Long.toString(System.currentTimeMillis() / 1000 + 600);
    assertThat(popupAccept("o-replay", ahead, "n-ahead").errorCode()).as("ten minutes ahead").isEqualTo("stale_event");
    Stack.staysTrue(Duration.ofSeconds(2), () -> grants("o-replay", "TPL_SUB") == 0);

    ApiClient.Reply fresh = popupAccept("o-replay", now(), "n-new");
    assertThat(fresh.status()).as(fresh.text()).isEqualTo(200);
    assertThat(fresh.text()).isEqualTo("success");
    await().atMost(Duration.ofSeconds(30)).until(() -> grants("o-replay", "TPL_SUB") == 1);
  }

  @Test
  void aPlaintextEventToAnAppWithAnAesKeyIsRefused() throws Exception {
    stack.worker("credentials", Map.of());
    String ts = now();
    String body = "{\"ToUserName\":\"gh\",\"FromUserName\":\"o-downgrade\",\"CreateTime\":" + ts + ",\"MsgType\":\"event\","
        + "\"Event\":\"subscribe_msg_popup_event\",\"List\":{\"TemplateId\":\"TPL_SUB\",\"SubscribeStatusString\":\"accept\"}}";
    MessagePushCrypto crypto = new MessagePushCrypto(Stack.APP, Secret.of(TOKEN), Optional.of(Secret.of(AES_KEY)));
    ApiClient.Reply plaintext = post("signature=" + crypto.sign(ts, "n-plain") + "&timestamp=" + ts + "&nonce=n-plain", body);
    assertThat(plaintext.status()).as(plaintext.text()).isEqualTo(401);
    assertThat(plaintext.errorCode()).isEqualTo("encryption_required");
    Stack.staysTrue(Duration.ofSeconds(2), () -> grants("o-downgrade", "TPL_SUB") == 0);
  }

  @Test
  void usersWhoAcceptInPopupsAloneGetTheBroadcastAndThoseWhoTurnItOffLaterDoNot() throws Exception {
    stack.worker("credentials,fanout,sender", Map.of());
    pushTo("safe", "xml");
    List<String> accepted = new ArrayList<>();
    for (int i = 0; i < 12; i++) accepted.add("o-pop-" + i);
    for (String u : accepted) stack.sim.answerPopup(Stack.APP, u, Map.of("TPL_SUB", "accept"), 1);
    for (int i = 0; i < 5; i++) stack.sim.answerPopup(Stack.APP, "o-no-" + i, Map.of("TPL_SUB", "reject"), 1);
    stack.seedFormIds(List.of("o-forms"), 2, System.currentTimeMillis()); // a user with form_ids only: not a subscribe target
    await().atMost(Duration.ofSeconds(30)).until(() -> {
      for (String u : accepted) if (grants(u, "TPL_SUB") != 1) return false;
      return true;
    });

    String first = stack.push(subscribe(Map.of("all", true)));
    JsonNode one = awaitDone(first);
    assertThat(one.get("sent").asLong()).isEqualTo(12);
    for (String u : accepted) assertThat(stack.sim.inbox(Stack.APP, u)).as(u).hasSize(1);
    for (int i = 0; i < 5; i++) assertThat(stack.sim.inbox(Stack.APP, "o-no-" + i)).isEmpty();
    assertThat(stack.sim.inbox(Stack.APP, "o-forms")).isEmpty();

    // everyone accepts again; then four turn the template off in settings
    nextSecond();
    for (String u : accepted) stack.sim.answerPopup(Stack.APP, u, Map.of("TPL_SUB", "accept"), 1);
    await().atMost(Duration.ofSeconds(30)).until(() -> {
      for (String u : accepted) if (grants(u, "TPL_SUB") != 1) return false;
      return true;
    });
    List<String> off = accepted.subList(0, 4);
    for (String u : off) stack.sim.rejectInSettings(Stack.APP, u, List.of("TPL_SUB"), 1);
    await().atMost(Duration.ofSeconds(30)).until(() -> {
      for (String u : off) if (grants(u, "TPL_SUB") != 0) return false;
      return true;
    });
    String second = stack.push(subscribe(Map.of("all", true)));
    JsonNode two = awaitDone(second);
    assertThat(two.get("sent").asLong()).isEqualTo(8);
    for (String u : off) assertThat(stack.sim.inbox(Stack.APP, u)).as(u + " turned it off").hasSize(1);
    for (String u : accepted.subList(4, 12)) assertThat(stack.sim.inbox(Stack.APP, u)).as(u).hasSize(2);
    assertThat(stack.sim.errcodeCounts().getOrDefault(43101, 0L)).isZero();
  }

  @Test
  void withGrantsFromEventsOnlyAClientCannotUploadAGrant() throws Exception {
    stack.worker("credentials", Map.of());
    String token = stack.login("o-client");
    long now = System.currentTimeMillis();
    ApiClient.Reply reply = stack.client.uploadCredentials(token, List.of(ApiClient.grant("TPL_SUB", "client-grant-1", now),
        ApiClient.credential("form_id", stack.sim.mintFormIds(Stack.APP, "o-client", 1).get(0), now)));
    assertThat(reply.status()).isEqualTo(202);
    assertThat(reply.body().get("rejected").get(0).get("reason").asText()).isEqualTo("grant_source_events");
    await().atMost(Duration.ofSeconds(30)).until(() -> stack.client.userCredentials(Stack.API_KEY, Stack.APP, "o-client").body()
        .path("formIds").asInt() == 1);
    assertThat(grants("o-client", "TPL_SUB")).isZero();
  }

  /** Waits until the sim's clock (CreateTime, in seconds) has moved past the current second. */
  private static void nextSecond() {
    long now = System.currentTimeMillis() / 1000;
    await().atMost(Duration.ofSeconds(3)).pollInterval(Duration.ofMillis(20)).until(() -> System.currentTimeMillis() / 1000 > now);
  }

  private ApiClient.Reply post(String query, String body) throws Exception {
    return stack.client.send("POST", "/v1/wechat/" + Stack.APP + "/events?" + query, Map.of("Content-Type", "application/json"),
        body.getBytes(StandardCharsets.UTF_8));
  }

  private List<JsonNode> results() throws Exception {
    String topic = new Topics(env.topicPrefix()).pushResults();
    List<JsonNode> out = new ArrayList<>();
    try (var consumer = new KafkaConsumer<String, byte[]>(Map.of(
        "bootstrap.servers", env.kafkaBootstrapServers(), "key.deserializer", StringDeserializer.class.getName(),
        "value.deserializer", ByteArrayDeserializer.class.getName()))) {
      var partitions = consumer.partitionsFor(topic).stream().map(p -> new TopicPartition(topic, p.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      var end = consumer.endOffsets(partitions);
      long deadline = System.currentTimeMillis() + 20_000;
      while (System.currentTimeMillis() < deadline && partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
        for (var r : consumer.poll(Duration.ofMillis(200))) out.add(Json.MAPPER.readTree(r.value()));
      }
    }
    return out;
  }
}
