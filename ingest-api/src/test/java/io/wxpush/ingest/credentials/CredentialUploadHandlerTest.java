package io.wxpush.ingest.credentials;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.wxpush.secret.Secret;
import io.wxpush.credentials.CredentialValidator;
import io.wxpush.user.UserRef;
import io.wxpush.ingest.RouteServer;
import io.wxpush.ingest.session.SessionTokens;
import io.wxpush.json.Json;
import io.wxpush.kafka.AckedPublisher;
import io.wxpush.metrics.WxpushMeter;
import io.wxpush.redis.RedisKeys;
import io.wxpush.testkit.ApiClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code POST /v1/credentials} over real HTTP, with Kafka replaced by a {@link MockProducer} and
 * the rate limiter's Redis by a counter that never sees other instances.
 */
class CredentialUploadHandlerTest {
  private static final Instant NOW = Instant.parse("2026-11-23T10:00:00Z");
  private static final long NOW_MS = NOW.toEpochMilli();
  private static final long DAY = Duration.ofDays(1).toMillis();
  private static final String TOPIC = "t.credentials";
  private static final int UPLOADS_PER_MINUTE = 3;
  private final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
  private final SessionTokens tokens = new SessionTokens(Secret.of("signing-key-for-tests-0123456789abcdef"), Set.of("wxapp1"),
      Duration.ofHours(1), clock);
  private final String alice = tokens.mint(new UserRef("wxapp1", "o-alice"));
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final List<AutoCloseable> closing = new ArrayList<>();
  private MockProducer<String, byte[]> kafka;
  private ApiClient api;

  @BeforeEach
  void start() {
    kafka = new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer());
    api = serve(kafka, Duration.ofSeconds(5));
  }

  /** The handler on a server of its own, publishing through {@code producer}. */
  private ApiClient serve(MockProducer<String, byte[]> producer, Duration ackTimeout) {
    UploadRateLimiter limiter = new UploadRateLimiter((window, deltas) -> Map.of(), new RedisKeys("t:"), UPLOADS_PER_MINUTE, clock,
        Duration.ofMinutes(10));
    CredentialUploadHandler handler = new CredentialUploadHandler(tokens, new CredentialValidator(clock), limiter,
        new AckedPublisher(producer, ackTimeout), TOPIC, new UploadMeters(registry), (app, template) -> true, app -> true);
    RouteServer server = RouteServer.start(registry, routes -> routes.post("/v1/credentials", handler::upload));
    closing.add(server);
    closing.add(limiter);
    return server.client();
  }

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable c : closing) c.close();
  }

  private static Map<String, Object> formId(String value, long collectedAt) {
    return ApiClient.credential("form_id", value, collectedAt);
  }

  private double rejected(String reason) {
    return WxpushMeter.CREDENTIALS_REJECTED.counter(registry, reason).count();
  }

  @Test
  void validCredentialsArePublishedForTheTokensUserAndTheRestListedByIndex() throws Exception {
    ApiClient.Reply reply = api.uploadCredentials(alice, List.of(
        formId("f-1", NOW_MS - DAY),
        formId("the formId is a mock one", NOW_MS),
        Map.of("kind", "prepay_id", "value", "p-1", "collectedAt", NOW_MS, "openId", "o-mallory")));

    assertThat(reply.status()).isEqualTo(202);
    assertThat(reply.body().path("accepted").asInt()).isEqualTo(2);
    assertThat(reply.body().path("rejected")).hasSize(1);
    assertThat(reply.body().path("rejected").get(0).path("index").asInt()).isEqualTo(1);
    assertThat(reply.body().path("rejected").get(0).path("reason").asText()).isEqualTo("mock_form_id");

    List<ProducerRecord<String, byte[]>> published = kafka.history();
    assertThat(published).extracting(ProducerRecord::topic).containsOnly(TOPIC);
    assertThat(published).extracting(ProducerRecord::key).containsOnly("wxapp1:o-alice");
    JsonNode first = Json.MAPPER.readTree(published.get(0).value());
    assertThat(first.path("v").asInt()).isEqualTo(1);
    assertThat(first.path("kind").asText()).isEqualTo("form_id");
    assertThat(first.path("value").asText()).isEqualTo("f-1");
    assertThat(first.path("expiresAt").asLong()).isEqualTo(NOW_MS + 6 * DAY);
    JsonNode second = Json.MAPPER.readTree(published.get(1).value());
    assertThat(second.path("kind").asText()).isEqualTo("prepay_id");
    assertThat(second.path("openId").asText()).as("the user is the token's, never the body's").isEqualTo("o-alice");

    assertThat(WxpushMeter.CREDENTIALS_RECEIVED.counter(registry).count()).isEqualTo(2);
    assertThat(rejected("mock_form_id")).isEqualTo(1);
  }

  @Test
  void anUploadWithoutAValidSessionTokenIsUnauthorizedAndPublishesNothing() throws Exception {
    List<Map<String, Object>> one = List.of(formId("f-1", NOW_MS));
    SessionTokens otherKey = new SessionTokens(Secret.of("another-signing-key-0123456789abcdef"), Set.of("wxapp1"), Duration.ofHours(1), clock);
    SessionTokens otherApp = new SessionTokens(Secret.of("signing-key-for-tests-0123456789abcdef"), Set.of("wxother"), Duration.ofHours(1), clock);
    for (String bearer : new String[] {null, "", "not-a-token", otherKey.mint(new UserRef("wxapp1", "o-alice")),
        otherApp.mint(new UserRef("wxother", "o-alice")), alice.substring(0, alice.length() - 2)}) {
      ApiClient.Reply reply = api.uploadCredentials(bearer, one);
      assertThat(reply.status()).as(String.valueOf(bearer)).isEqualTo(401);
      assertThat(reply.errorCode()).isEqualTo("unauthorized");
    }
    // the token must come as "Bearer <token>": under another scheme it is no token
    ApiClient.Reply basic = api.send("POST", "/v1/credentials", Map.of("Authorization", "Basic " + alice),
        Json.write(Map.of("credentials", one)));
    assertThat(basic.status()).isEqualTo(401);
    assertThat(kafka.history()).isEmpty();
  }

  @Test
  void aBodyThatIsNotAnUploadGetsItsOwnCodeAndPublishesNothing() throws Exception {
    List<Map<String, Object>> tooMany = new ArrayList<>();
    for (int i = 0; i < CredentialUploadHandler.MAX_PER_UPLOAD + 1; i++) tooMany.add(formId("f" + i, NOW_MS));
    Map<Object, String> cases = new LinkedHashMap<>();
    cases.put("", "malformed_json");
    cases.put("{\"credentials\": [", "malformed_json");
    cases.put("{\"credentials\":[],\"credentials\":[]}", "malformed_json"); // a duplicate key
    cases.put("[1,2,3]", "invalid_request");
    cases.put("\"credentials\"", "invalid_request");
    cases.put("{}", "invalid_request");
    cases.put("{\"credentials\":{\"kind\":\"form_id\"}}", "invalid_request");
    cases.put("{\"credentials\":[]}", "invalid_request");
    cases.put(Map.of("credentials", tooMany), "too_many_credentials");

    for (var c : cases.entrySet()) {
      ApiClient.Reply reply = api.post("/v1/credentials", alice, c.getKey());
      assertThat(reply.status()).as("%s", c.getKey()).isEqualTo(400);
      assertThat(reply.errorCode()).as("%s", c.getKey()).isEqualTo(c.getValue());
      assertThat(reply.body().path("error").path("message").asText()).isNotBlank();
    }
    assertThat(kafka.history()).isEmpty();
  }

  @Test
  void aBodyOverTheLimitIsRefusedWith413() throws Exception {
    String big = "{\"credentials\":[" + "{\"kind\":\"form_id\",\"value\":\"x\",\"collectedAt\":1},".repeat(2_000) + "{}]}";
    assertThat(big.length()).isGreaterThan(64 * 1024);
    ApiClient.Reply reply = api.post("/v1/credentials", alice, big);
    assertThat(reply.status()).isEqualTo(413);
    assertThat(reply.errorCode()).isEqualTo("body_too_large");
    assertThat(kafka.history()).isEmpty();
  }

  @Test
  void anUploadWithNoValidCredentialIsRefusedListingEachReason() throws Exception {
    ApiClient.Reply reply = api.uploadCredentials(alice, List.of(
        ApiClient.credential("sms", "abc", NOW_MS),
        formId("f-old", NOW_MS - 8 * DAY),
        formId("x".repeat(129), NOW_MS),
        Map.of("kind", "subscription", "value", "g", "collectedAt", NOW_MS)));

    assertThat(reply.status()).isEqualTo(400);
    assertThat(reply.errorCode()).isEqualTo("no_valid_credentials");
    JsonNode rejected = reply.body().path("error").path("rejected");
    assertThat(rejected).hasSize(4);
    List<String> reasons = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      assertThat(rejected.get(i).path("index").asInt()).isEqualTo(i);
      reasons.add(rejected.get(i).path("reason").asText());
    }
    assertThat(reasons).containsExactly("unknown_kind", "expired", "value_too_long", "template_id_missing");
    assertThat(kafka.history()).isEmpty();
    assertThat(rejected("expired")).isEqualTo(1);
    assertThat(WxpushMeter.CREDENTIALS_RECEIVED.counter(registry).count()).isZero();
  }

  @Test
  void theUploadAfterTheLimitIsRateLimitedForThatUserAlone() throws Exception {
    for (int i = 0; i < UPLOADS_PER_MINUTE; i++) {
      api.uploadCredentials(alice, List.of(formId("f" + i, NOW_MS))).expect(202);
    }
    ApiClient.Reply limited = api.uploadCredentials(alice, List.of(formId("f-late", NOW_MS)));
    assertThat(limited.status()).isEqualTo(429);
    assertThat(limited.errorCode()).isEqualTo("rate_limited");
    assertThat(limited.header("Retry-After")).contains("60");
    assertThat(kafka.history()).hasSize(UPLOADS_PER_MINUTE);

    String bob = tokens.mint(new UserRef("wxapp1", "o-bob"));
    api.uploadCredentials(bob, List.of(formId("f-bob", NOW_MS))).expect(202);
  }

  @Test
  void whenKafkaDoesNotAcknowledgeTheUploadIsRefusedWith503AndNotCountedAccepted() throws Exception {
    MockProducer<String, byte[]> silent = new MockProducer<>(false, null, new StringSerializer(), new ByteArraySerializer());
    ApiClient unacknowledged = serve(silent, Duration.ofMillis(200));

    ApiClient.Reply reply = unacknowledged.uploadCredentials(alice, List.of(formId("f-1", NOW_MS)));

    assertThat(reply.status()).isEqualTo(503);
    assertThat(reply.errorCode()).isEqualTo("unavailable");
    assertThat(reply.header("Retry-After")).contains("5");
    assertThat(silent.history()).as("sent, never acknowledged").hasSize(1);
    assertThat(WxpushMeter.CREDENTIALS_RECEIVED.counter(registry).count()).isZero();
  }
}
