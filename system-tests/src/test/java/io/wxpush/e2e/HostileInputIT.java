package io.wxpush.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.wxpush.kafka.KafkaClients;
import io.wxpush.testkit.ApiClient;
import io.wxpush.testkit.RealServices;
import io.wxpush.testkit.TestEnv;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Thousands of malformed, oversized, wrongly typed and hostile requests to every endpoint:
 * never a 5xx, nothing published, and the process stays healthy. Seeded, so a failure repeats.
 */
@ExtendWith(RealServices.class)
class HostileInputIT {
  private static final long SEED = 20261123L;
  private Stack stack;

  @BeforeEach
  void start(TestEnv env) {
    stack = Stack.start(env, Map.of("UPLOADS_PER_USER_PER_MINUTE", "1000000"));
  }

  @AfterEach
  void stop() {
    stack.close();
  }

  @Test
  void thousandsOfHostileRequestsGetNo5xxPublishNothingAndLeaveTheApiHealthy() throws Exception {
    String token = stack.login("o-fuzz");
    Random random = new Random(SEED);
    long before = endOffsets();
    Map<Integer, Integer> statuses = new HashMap<>();
    String[] paths = {"/v1/sessions", "/v1/credentials", "/v1/pushes", "/v1/pushes/x", "/v1/users/o-fuzz/credentials?appId=wxapp1",
        "/v1/users/%2e%2e/credentials", "/v1/pushes/%00", "/nope", "/health/../v1/pushes"};
    for (int i = 0; i < 3_000; i++) {
      String path = paths[random.nextInt(paths.length)];
      String bearer = switch (random.nextInt(4)) {
        case 0 -> null;
        case 1 -> token;
        case 2 -> Stack.API_KEY.substring(0, Stack.API_KEY.length() - 1) + "x"; // almost the key
        default -> headerSafe(hostileString(random)); // a header's hostility ends where HTTP clients stop sending
      };
      byte[] body = hostileBody(random, token);
      ApiClient.Reply reply = random.nextInt(5) == 0 ? stack.client.get(path, bearer) : stack.client.post(path, bearer, body);
      statuses.merge(reply.status(), 1, Integer::sum);
      assertThat(reply.status()).as("case %d: %s %s", i, path, new String(body, 0, Math.min(body.length, 200), StandardCharsets.UTF_8)).isLessThan(500);
      if (reply.status() >= 400) {
        // every refusal, including Jetty's own before routing (%00 in a path), is the API's JSON error shape
        assertThat(reply.errorCode()).as("case %d: %s answered %d with %s", i, path, reply.status(), reply.raw().body()).isNotBlank();
        assertThat(reply.body().path("error").path("message").isTextual()).isTrue();
      }
    }
    assertThat(endOffsets()).as("records published").isEqualTo(before);
    assertThat(stack.client.health().status()).isEqualTo(200);
    assertThat(statuses).doesNotContainKeys(500, 502, 503);
  }

  private static String headerSafe(String s) {
    String printable = s.replaceAll("[^\\x21-\\x7e]", "?");
    return printable.isEmpty() ? "?" : printable.substring(0, Math.min(printable.length(), 4_000));
  }

  private static String hostileString(Random r) {
    return switch (r.nextInt(8)) {
      case 0 -> "";
      case 1 -> "x".repeat(r.nextInt(100_000));
      case 2 -> "\u0000\u202e\ud83d\ude00\uffff";
      case 3 -> "'; DROP TABLE users; --";
      case 4 -> "{{appId}}:{x}";
      case 5 -> "the formId is a mock one";
      case 6 -> "../../etc/passwd";
      default -> Long.toString(r.nextLong());
    };
  }

  private static byte[] hostileBody(Random r, String token) {
    String s = switch (r.nextInt(16)) {
      case 0 -> "";
      case 1 -> "{";
      case 2 -> "null";
      case 3 -> "[]";
      case 4 -> "{\"credentials\":" + "[".repeat(5_000) + "]".repeat(5_000) + "}";
      case 5 -> "{\"credentials\":[{\"kind\":\"form_id\",\"value\":\"" + "v".repeat(70_000) + "\",\"collectedAt\":1}]}";
      case 6 -> "{\"credentials\":[{\"kind\":" + r.nextInt() + ",\"value\":[],\"collectedAt\":\"yesterday\"}]}";
      case 7 -> "{\"credentials\":[{\"kind\":\"form_id\",\"value\":\"" + hostileString(r).replace("\"", "") + "\",\"collectedAt\":-5}]}";
      case 8 -> "{\"credentials\":[{\"kind\":\"form_id\",\"value\":\"ok\",\"collectedAt\":1e308}]}";
      case 9 -> "{\"appId\":\"wxapp1\",\"code\":" + r.nextInt() + "}";
      case 10 -> "{\"appId\":[\"wxapp1\"],\"code\":\"c\"}";
      case 11 -> "{\"appId\":\"wxapp1\",\"kind\":\"template\",\"templateId\":\"T\",\"audience\":{\"openIds\":[" + "\"o\",".repeat(10_001) + "\"o\"]}}";
      case 12 -> "{\"appId\":\"wxapp1\",\"kind\":\"template\",\"templateId\":\"T\",\"audience\":{\"all\":\"yes\"},\"data\":{\"k\":{\"value\":1}}}";
      case 13 -> "{\"a\":1,\"a\":2}";
      case 14 -> "{\"credentials\":[{\"kind\":\"subscription\",\"value\":\"g\",\"templateId\":\"{bad}\",\"collectedAt\":1}]}";
      default -> {
        byte[] bytes = new byte[r.nextInt(2_000)];
        r.nextBytes(bytes);
        yield new String(bytes, StandardCharsets.ISO_8859_1);
      }
    };
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private long endOffsets() throws Exception {
    try (Admin admin = KafkaClients.admin(stack.env.kafkaBootstrapServers(), "it")) {
      long total = 0;
      for (String topic : List.of(stack.env.topic("credentials"), stack.env.topic("push-requests"))) {
        var partitions = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions();
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        for (var p : partitions) latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest());
        total += admin.listOffsets(latest).all().get().values().stream().mapToLong(o -> o.offset()).sum();
      }
      return total;
    }
  }

  @Test
  void repeatedBadApiKeysAreThrottled() throws Exception {
    // the throttle counts bad keys per wall-clock minute: keep the 25 requests inside one (CI once ran them across 07:04:00)
    Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200))
        .until(() -> LocalTime.now(ZoneOffset.UTC).getSecond() < 50);
    List<Integer> statuses = new ArrayList<>();
    for (int i = 0; i < 25; i++) statuses.add(stack.client.pushStatus("wrong-key-" + i, "x").status());
    assertThat(statuses.subList(0, 20)).containsOnly(401);
    assertThat(statuses.subList(20, 25)).containsOnly(429);
  }
}
