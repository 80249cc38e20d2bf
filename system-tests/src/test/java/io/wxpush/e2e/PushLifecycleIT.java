package io.wxpush.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.wxpush.json.Json;
import io.wxpush.redis.RedisKeys;
import io.wxpush.sim.SimMessage;
import io.wxpush.sim.SimTemplate;
import io.wxpush.testkit.ApiClient;
import io.wxpush.testkit.RealServices;
import io.wxpush.testkit.TestEnv;
import java.net.InetSocketAddress;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A push's life after acceptance (BRIEF §3, v2): cancelled mid-way, scheduled, listed. */
@ExtendWith(RealServices.class)
class PushLifecycleIT {
  private static final Duration SIM_LATENCY = Duration.ofMillis(100);

  private static Map<String, Object> broadcast() {
    return Map.of("appId", Stack.APP, "kind", "template", "templateId", "TPL_ORDER", "data", Map.of("keyword1", "sale"),
        "audience", Map.of("all", true));
  }

  @Test
  void aCancelledBroadcastStartsNoSendAfterTheAnswerAndKeepsTheUnspentCredentials(TestEnv env) throws Exception {
    try (Stack stack = Stack.start(env, Map.of())) {
      stack.sim.registerTemplate(new SimTemplate(Stack.APP, "TPL_ORDER", SimTemplate.Kind.TEMPLATE, List.of("keyword1"), Set.of()));
      List<String> openIds = Stack.users("cx", 300);
      stack.seedFormIds(openIds, 2, System.currentTimeMillis());
      stack.sim.faults().latency(SIM_LATENCY, Duration.ZERO);
      stack.worker("fanout,sender", Map.of("SENDER_CONCURRENCY", "8", "FANOUT_PAGE", "50"));
      String rid = stack.push(broadcast());
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).until(() -> stack.status(rid).path("sent").asLong() >= 20);

      ApiClient.Reply cancel = stack.client.send("DELETE", "/v1/pushes/" + rid, Map.of("Authorization", "Bearer " + Stack.API_KEY), null);
      Instant answered = Instant.now();
      assertThat(cancel.status()).as(cancel.text()).isEqualTo(202);

      JsonNode status = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
          .until(() -> stack.status(rid), s -> "cancelled".equals(s.path("state").asText()));
      long sent = status.path("sent").asLong();
      long cancelled = status.path("cancelled").asLong();
      assertThat(cancelled).as("tasks not sent count cancelled").isPositive();
      assertThat(sent + cancelled + status.path("noCredential").asLong() + status.path("failed").asLong() + status.path("unknown").asLong())
          .as("counts add up: " + status).isEqualTo(status.path("targets").asLong());
      assertThat(status.path("pending").asLong()).isZero();

      long delivered = 0;
      for (String openId : openIds) {
        for (SimMessage m : stack.sim.inbox(Stack.APP, openId)) {
          delivered++;
          // a send started before the answer may land up to its latency after it
          assertThat(m.at()).as("delivery to " + openId).isBefore(answered.plus(SIM_LATENCY).plusMillis(400));
        }
      }
      assertThat(delivered).isEqualTo(sent);
      long left = openIds.stream().mapToLong(stack::sendsLeft).sum();
      assertThat(left).as("unspent credentials stay in the pools").isEqualTo(2L * openIds.size() - sent);

      ApiClient.Reply again = stack.client.send("DELETE", "/v1/pushes/" + rid, Map.of("Authorization", "Bearer " + Stack.API_KEY), null);
      assertThat(again.status()).isEqualTo(409);
      ApiClient.Reply unknown = stack.client.send("DELETE", "/v1/pushes/nope-" + rid, Map.of("Authorization", "Bearer " + Stack.API_KEY), null);
      assertThat(unknown.status()).isEqualTo(404);
    }
  }

  @Test
  void aScheduledPushSendsNothingBeforeItsTimeThroughRestartsAndEverythingAfterOnce(TestEnv env) throws Exception {
    try (Stack stack = Stack.start(env, Map.of())) {
      stack.sim.registerTemplate(new SimTemplate(Stack.APP, "TPL_ORDER", SimTemplate.Kind.TEMPLATE, List.of("keyword1"), Set.of()));
      List<String> openIds = Stack.users("sch", 20);
      List<String> others = Stack.users("sco", 5);
      stack.seedFormIds(openIds, 1, System.currentTimeMillis());
      stack.seedFormIds(others, 1, System.currentTimeMillis());
      var first = stack.worker("fanout,sender", Map.of());
      long sendAt = System.currentTimeMillis() + 10_000;
      String rid = stack.push(Map.of("appId", Stack.APP, "kind", "template", "templateId", "TPL_ORDER", "data", Map.of("keyword1", "later"),
          "audience", Map.of("openIds", openIds), "sendAt", sendAt));
      String dropped = stack.push(Map.of("appId", Stack.APP, "kind", "template", "templateId", "TPL_ORDER", "data", Map.of("keyword1", "never"),
          "audience", Map.of("openIds", others), "sendAt", sendAt));
      assertThat(stack.status(rid).path("state").asText()).isEqualTo("scheduled");
      await().atMost(Duration.ofSeconds(5)).until(() -> stack.sim.deliveredCount() == 0 && "scheduled".equals(stack.status(dropped).path("state").asText()));
      ApiClient.Reply cancel = stack.client.send("DELETE", "/v1/pushes/" + dropped, Map.of("Authorization", "Bearer " + Stack.API_KEY), null);
      assertThat(cancel.status()).isEqualTo(202);
      assertThat(cancel.body().path("state").asText()).as("a scheduled push is cancelled at once").isEqualTo("cancelled");

      Stack.staysTrue(Duration.ofSeconds(2), () -> stack.sim.deliveredCount() == 0);
      first.close(); // every process that could start it goes away and comes back
      stack.worker("fanout,sender", Map.of());
      assertThat(stack.sim.deliveredCount()).as("nothing before sendAt").isZero();

      JsonNode status = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
          .until(() -> stack.status(rid), s -> "done".equals(s.path("state").asText()));
      assertThat(status.path("sent").asLong()).isEqualTo(openIds.size());
      for (String openId : openIds) {
        List<SimMessage> inbox = stack.sim.inbox(Stack.APP, openId);
        assertThat(inbox).as("messages to " + openId).hasSize(1);
        assertThat(inbox.getFirst().at().toEpochMilli()).as("not before sendAt").isGreaterThanOrEqualTo(sendAt);
      }
      Stack.staysTrue(Duration.ofSeconds(1), () -> others.stream().allMatch(o -> stack.sim.inbox(Stack.APP, o).isEmpty()));
      assertThat(stack.status(dropped).path("state").asText()).isEqualTo("cancelled");
    }
  }

  @Test
  void anAppsPushesAreListedNewestFirstByCursorAndByState(TestEnv env) throws Exception {
    try (Stack stack = Stack.start(env, Map.of())) {
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        ids.add(stack.push(Map.of("appId", Stack.APP, "kind", "template", "templateId", "TPL_ORDER", "data", Map.of("keyword1", "n" + i),
            "audience", Map.of("openIds", List.of("lst" + i)), "sendAt", System.currentTimeMillis() + 3_600_000)));
        long before = System.currentTimeMillis();
        await().until(() -> System.currentTimeMillis() > before); // each accepted in a later millisecond: a strict order
      }
      List<String> seen = new ArrayList<>();
      String cursor = null;
      do {
        String path = "/v1/pushes?appId=" + Stack.APP + "&limit=2" + (cursor == null ? "" : "&cursor=" + URLEncoder.encode(cursor, "UTF-8"));
        ApiClient.Reply reply = stack.client.get(path, Stack.API_KEY);
        assertThat(reply.status()).as(path + " " + reply.text()).isEqualTo(200);
        JsonNode page = reply.body();
        assertThat(page.path("pushes").size()).isLessThanOrEqualTo(2);
        page.path("pushes").forEach(p -> seen.add(p.path("requestId").asText()));
        cursor = page.path("nextCursor").isTextual() ? page.path("nextCursor").asText() : null; // none on the last page
      } while (cursor != null);
      assertThat(seen).as("newest first").containsExactlyElementsOf(ids.reversed());

      stack.client.send("DELETE", "/v1/pushes/" + ids.get(1), Map.of("Authorization", "Bearer " + Stack.API_KEY), null).expect(202);
      JsonNode cancelled = stack.client.get("/v1/pushes?appId=" + Stack.APP + "&state=cancelled", Stack.API_KEY).expect(200).body();
      assertThat(cancelled.path("pushes")).extracting(p -> p.path("requestId").asText()).containsExactly(ids.get(1));
      assertThat(stack.client.get("/v1/pushes?appId=" + Stack.APP + "&state=bogus", Stack.API_KEY).status()).isEqualTo(400);
      assertThat(stack.client.get("/v1/pushes", Stack.API_KEY).status()).isEqualTo(400);
      assertThat(stack.client.get("/v1/pushes?appId=" + Stack.APP, null).status()).isEqualTo(401);
    }
  }

  @Test
  void aCallbackReceiverThatFailsThreeTimesGetsTheFinalStatusOnceSigned(TestEnv env) throws Exception {
    AtomicInteger attempts = new AtomicInteger();
    List<byte[]> delivered = new CopyOnWriteArrayList<>();
    List<String> signatures = new CopyOnWriteArrayList<>();
    HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    receiver.createContext("/hook", exchange -> {
      byte[] body = exchange.getRequestBody().readAllBytes();
      int n = attempts.incrementAndGet();
      int code = n <= 3 ? 500 : 200;
      if (code == 200) {
        delivered.add(body);
        signatures.add(exchange.getRequestHeaders().getFirst("X-Wxpush-Signature"));
      }
      exchange.sendResponseHeaders(code, -1);
      exchange.close();
    });
    receiver.start();
    try (Stack stack = Stack.start(env, Map.of("CALLBACK_ALLOW_PRIVATE", "true"))) {
      stack.sim.registerTemplate(new SimTemplate(Stack.APP, "TPL_ORDER", SimTemplate.Kind.TEMPLATE, List.of("keyword1"), Set.of()));
      List<String> openIds = Stack.users("cb", 5);
      stack.seedFormIds(openIds, 1, System.currentTimeMillis());
      stack.worker("fanout,sender", Map.of());
      String url = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook";
      String rid = stack.push(Map.of("appId", Stack.APP, "kind", "template", "templateId", "TPL_ORDER", "data", Map.of("keyword1", "hi"),
          "audience", Map.of("openIds", openIds), "callbackUrl", url));
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> !delivered.isEmpty());
      Stack.staysTrue(Duration.ofSeconds(3), () -> delivered.size() == 1); // nothing more comes
      assertThat(attempts.get()).isEqualTo(4);
      JsonNode status = Json.MAPPER.readTree(delivered.getFirst());
      assertThat(status.path("requestId").asText()).isEqualTo(rid);
      assertThat(status.path("state").asText()).isEqualTo("done");
      assertThat(status.path("sent").asLong()).isEqualTo(openIds.size());
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(Stack.API_KEY.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      assertThat(signatures.getFirst()).isEqualTo("sha256=" + HexFormat.of().formatHex(mac.doFinal(delivered.getFirst())));
    } finally {
      receiver.stop(0);
    }
  }

  @Test
  void aCallbackUrlToAnInternalAddressOrNotHttpIsRefusedAtOnce(TestEnv env) throws Exception {
    try (Stack stack = Stack.start(env, Map.of())) {
      for (String url : List.of("http://127.0.0.1:8080/x", "http://169.254.169.254/latest/meta-data", "http://localhost/x", "ftp://example.com/x",
          "http://[::1]/x", "http://10.0.0.5/x")) {
        ApiClient.Reply reply = stack.client.push(Stack.API_KEY, Map.of("appId", Stack.APP, "kind", "template", "templateId", "TPL_ORDER",
            "data", Map.of("keyword1", "hi"), "audience", Map.of("openIds", List.of("o1")), "callbackUrl", url));
        assertThat(reply.status()).as(url).isEqualTo(400);
        assertThat(reply.body().path("error").path("fields").toString()).as(url).contains("callbackUrl");
      }
    }
  }

  private static String dlq(Stack stack, String command) throws Exception {
    ProcessBuilder pb = new ProcessBuilder("bash", Path.of("..", "scripts", "dlq.sh").toString(), command,
        stack.client.base(), Stack.APP).redirectErrorStream(true);
    pb.environment().put("WXPUSH_API_KEY", Stack.API_KEY);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as(out).isZero();
    return out;
  }

  @Test
  void aBroadcastStoppedByTheDailyQuotaIsFinishedByARetryAfterTheQuotaResetsEveryoneOnce(TestEnv env) throws Exception {
    try (Stack stack = Stack.start(env, Map.of())) {
      stack.sim.registerTemplate(new SimTemplate(Stack.APP, "TPL_ORDER", SimTemplate.Kind.TEMPLATE, List.of("keyword1"), Set.of()));
      List<String> openIds = Stack.users("dq", 100);
      stack.seedFormIds(openIds, 1, System.currentTimeMillis());
      stack.sim.faults().dailyQuota(Stack.APP, 50);
      stack.worker("fanout,sender", Map.of());
      String rid = stack.push(broadcast());
      JsonNode first = await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
          .until(() -> stack.status(rid), s -> "done".equals(s.path("state").asText()));
      assertThat(first.path("sent").asLong()).isEqualTo(50);
      assertThat(first.path("failed").asLong()).isEqualTo(50);
      assertThat(first.path("retryable").asLong()).as("dead-lettered, surely unsent").isEqualTo(50);

      // Beijing midnight: WeChat's quota resets and the app's pause ends
      stack.sim.faults().clear();
      try (var redis = stack.redis()) {
        redis.del(new RedisKeys(env.redisKeyPrefix()).pause(Stack.APP));
      }
      // the operators' command: how many, then the retry of every push of the app
      assertThat(dlq(stack, "count")).contains("50 user(s) of " + Stack.APP + " would be sent again");
      assertThat(dlq(stack, "retry")).contains("retried 50 user(s) of " + rid);

      JsonNode done = await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
          .until(() -> stack.status(rid), s -> "done".equals(s.path("state").asText()) && s.path("sent").asLong() == 100);
      assertThat(done.path("failed").asLong()).isZero();
      assertThat(done.path("targets").asLong()).isEqualTo(100);
      Stack.staysTrue(Duration.ofSeconds(1), () -> openIds.stream().allMatch(o -> stack.sim.inbox(Stack.APP, o).size() == 1));
      assertThat(stack.client.post("/v1/pushes/" + rid + "/retry", Stack.API_KEY, Map.of()).body().path("retried").asLong())
          .as("nobody is left to retry").isZero();
    }
  }
}
