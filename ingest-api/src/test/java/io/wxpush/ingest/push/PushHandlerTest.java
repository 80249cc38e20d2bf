package io.wxpush.ingest.push;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.wxpush.secret.Secret;
import io.wxpush.ingest.RouteServer;
import io.wxpush.ingest.auth.ApiKey;
import io.wxpush.ingest.auth.ClientAddress;
import io.wxpush.ingest.auth.PushApiKeys;
import io.wxpush.json.Json;
import io.wxpush.kafka.AckedPublisher;
import io.wxpush.client.PushRequest;
import io.wxpush.push.PushId;
import io.wxpush.push.PushRequestParser;
import io.wxpush.push.PushStatus;
import io.wxpush.push.PushStatusStore;
import io.wxpush.testkit.ApiClient;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.function.Predicate;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code POST /v1/pushes} and {@code GET /v1/pushes/{requestId}} over real HTTP, with Kafka
 * replaced by a {@link MockProducer} and the status store by a map.
 */
class PushHandlerTest {
  private static final String KEY = "push-api-key-for-tests-0123456789";
  private static final String TOPIC = "t.push-requests";
  private final FakeStatuses statuses = new FakeStatuses();
  private final List<RouteServer> servers = new ArrayList<>();

  /** The store: a marker per requestId with the body it came with, publishing until published; and the statuses the test puts in. */
  static final class FakeStatuses implements PushHandler.Statuses {
    final Map<String, PushRequest> accepted = new ConcurrentHashMap<>();
    final Map<String, Boolean> published = new ConcurrentHashMap<>();
    final Map<String, PushStatus> statuses = new ConcurrentHashMap<>();

    @Override
    public synchronized PushStatusStore.Acceptance seen(PushRequest push) {
      PushRequest before = accepted.get(push.requestId());
      if (before == null) return PushStatusStore.Acceptance.NEW;
      if (!before.equals(push)) return PushStatusStore.Acceptance.CONFLICT;
      return published.getOrDefault(push.requestId(), false) ? PushStatusStore.Acceptance.REPLAY : PushStatusStore.Acceptance.REPUBLISH;
    }

    @Override
    public synchronized PushStatusStore.Acceptance accept(PushRequest push) {
      PushRequest before = accepted.putIfAbsent(push.requestId(), push);
      if (before == null) return PushStatusStore.Acceptance.NEW;
      if (!before.equals(push)) return PushStatusStore.Acceptance.CONFLICT;
      return published.getOrDefault(push.requestId(), false) ? PushStatusStore.Acceptance.REPLAY : PushStatusStore.Acceptance.REPUBLISH;
    }

    @Override
    public void published(PushId id) {
      published.put(id.requestId(), true);
    }

    @Override
    public Optional<PushStatus> read(PushId id) {
      return Optional.ofNullable(statuses.get(id.requestId())).filter(s -> s.appId() == null || s.appId().equals(id.appId()));
    }

    @Override
    public List<String> appsWith(String requestId, Collection<String> appIds) {
      return appIds.stream().filter(app -> read(new PushId(app, requestId)).isPresent()).toList();
    }

    @Override
    public PushStatusStore.Listed list(String appId, String cursor, int limit, Predicate<String> keep) {
      return new PushStatusStore.Listed(statuses.keySet().stream().sorted().filter(keep).limit(limit).toList(), null);
    }

    @Override
    public void expectCallback(String appId, String requestId, String url, String keyFingerprint) {}

    @Override
    public long retryable(PushId id) {
      return 0;
    }

    @Override
    public long nextRetryRound(PushId id) {
      return 1;
    }

    @Override
    public PushStatusStore.Cancel cancel(PushId id) {
      PushStatus s = statuses.get(id.requestId());
      if (s == null) return PushStatusStore.Cancel.MISSING;
      return s.isFinal() ? PushStatusStore.Cancel.FINAL : PushStatusStore.Cancel.CANCELLING;
    }
  }

  private ApiClient serve(MockProducer<String, byte[]> producer, Duration ackTimeout) {
    return serve(producer, ackTimeout, push -> List.of());
  }

  private ApiClient serve(MockProducer<String, byte[]> producer, Duration ackTimeout,
      Function<PushRequest, List<Map<String, String>>> templateProblems) {
    PushHandler handler = new PushHandler(new PushApiKeys(List.of(ApiKey.everyApp(Secret.of(KEY))), ClientAddress.direct(), Clock.systemUTC()),
        new PushRequestParser(Set.of("wxapp1")), Set.of("wxapp1"), statuses, new AckedPublisher(producer, ackTimeout), TOPIC, templateProblems);
    RouteServer server = RouteServer.start(routes -> {
      routes.post("/v1/pushes", handler::create);
      routes.get("/v1/pushes/{requestId}", handler::show);
    });
    servers.add(server);
    return server.client();
  }

  private static MockProducer<String, byte[]> acking() {
    return new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer());
  }

  @AfterEach
  void stop() {
    servers.forEach(RouteServer::close);
  }

  private static Map<String, Object> push(String requestId) {
    Map<String, Object> body = new HashMap<>(Map.of("appId", "wxapp1", "kind", "template", "templateId", "TPL_ORDER",
        "data", Map.of("keyword1", "shipped"), "audience", Map.of("openIds", List.of("o-alice", "o-bob", "o-alice"))));
    if (requestId != null) body.put("requestId", requestId);
    return body;
  }

  @Test
  void aValidPushIsPublishedOnceKeyedByItsRequestIdAndAnswered202() throws Exception {
    MockProducer<String, byte[]> kafka = acking();
    ApiClient api = serve(kafka, Duration.ofSeconds(5));

    ApiClient.Reply reply = api.push(KEY, push("order-42-shipped"));

    assertThat(reply.status()).isEqualTo(202);
    assertThat(reply.body().path("requestId").asText()).isEqualTo("order-42-shipped");
    assertThat(kafka.history()).hasSize(1);
    assertThat(kafka.history().getFirst().topic()).isEqualTo(TOPIC);
    assertThat(kafka.history().getFirst().key()).isEqualTo("order-42-shipped");
    JsonNode record = Json.MAPPER.readTree(kafka.history().getFirst().value());
    assertThat(record.path("v").asInt()).isEqualTo(PushRequest.VERSION);
    assertThat(record.path("appId").asText()).isEqualTo("wxapp1");
    assertThat(record.path("templateId").asText()).isEqualTo("TPL_ORDER");
    assertThat(record.path("data").path("keyword1").asText()).isEqualTo("shipped");
    assertThat(record.path("audience").path("openIds")).extracting(JsonNode::asText).as("listed once each").containsExactly("o-alice", "o-bob");
    assertThat(statuses.accepted).containsOnlyKeys("order-42-shipped");
  }

  @Test
  void theSameRequestIdTwiceIsOnePushAndTheSecondAnswerSaysItIsAReplay() throws Exception {
    MockProducer<String, byte[]> kafka = acking();
    ApiClient api = serve(kafka, Duration.ofSeconds(5));
    ApiClient.Reply first = api.push(KEY, push("order-42")).expect(202);
    assertThat(first.header("Idempotent-Replayed")).isEmpty();
    ApiClient.Reply again = api.push(KEY, push("order-42"));
    assertThat(again.status()).isEqualTo(202);
    assertThat(again.body().path("requestId").asText()).isEqualTo("order-42");
    assertThat(again.header("Idempotent-Replayed")).contains("true");
    assertThat(kafka.history()).as("published once").hasSize(1);
  }

  @Test
  void aReplayOfAnAcceptedPushIs202EvenIfItsTemplateHasGoneSinceAndAnotherBodyIs409() throws Exception {
    MockProducer<String, byte[]> kafka = acking();
    AtomicBoolean templateGone = new AtomicBoolean();
    ApiClient api = serve(kafka, Duration.ofSeconds(5),
        push -> templateGone.get() ? List.of(Map.of("field", "templateId", "problem", "unknown_template")) : List.of());
    api.push(KEY, push("order-7")).expect(202);
    statuses.published(new PushId("wxapp1", "order-7"));
    templateGone.set(true); // the app's template list no longer has it

    ApiClient.Reply again = api.push(KEY, push("order-7"));
    assertThat(again.status()).as(again.text()).isEqualTo(202);
    assertThat(again.header("Idempotent-Replayed")).contains("true");
    Map<String, Object> changed = push("order-7");
    changed.put("data", Map.of("keyword1", "changed"));
    assertThat(api.push(KEY, changed).status()).as("a changed body is still a conflict").isEqualTo(409);
    assertThat(api.push(KEY, push("order-8")).status()).as("a new push meets the template check").isEqualTo(400);
    assertThat(kafka.history()).as("published once").hasSize(1);
  }

  @Test
  void theSameRequestIdWithAnotherBodyIsAConflictThatPublishesNothing() throws Exception {
    MockProducer<String, byte[]> kafka = acking();
    ApiClient api = serve(kafka, Duration.ofSeconds(5));
    api.push(KEY, push("order-43")).expect(202);
    Map<String, Object> other = push("order-43");
    other.put("data", Map.of("keyword1", "cancelled"));
    ApiClient.Reply conflict = api.push(KEY, other);
    assertThat(conflict.status()).isEqualTo(409);
    assertThat(conflict.errorCode()).isEqualTo("request_id_conflict");
    assertThat(kafka.history()).hasSize(1);
  }

  @Test
  void aPushWithoutRequestIdGetsOneOfItsOwn() throws Exception {
    MockProducer<String, byte[]> kafka = acking();
    ApiClient api = serve(kafka, Duration.ofSeconds(5));
    String first = api.push(KEY, push(null)).expect(202).body().path("requestId").asText();
    String second = api.push(KEY, push(null)).expect(202).body().path("requestId").asText();
    assertThat(first).isNotBlank().isNotEqualTo(second);
    assertThat(kafka.history()).extracting(r -> r.key()).containsExactly(first, second);
  }

  @Test
  void anInvalidPushIsRefusedNamingEveryBadFieldAndPublishesNothing() throws Exception {
    MockProducer<String, byte[]> kafka = acking();
    ApiClient api = serve(kafka, Duration.ofSeconds(5));

    ApiClient.Reply reply = api.push(KEY, Map.of("requestId", "has spaces", "appId", "wxnope", "kind", "sms",
        "data", Map.of("keyword1", 7), "audience", Map.of("all", true, "openIds", List.of("o-alice"))));

    assertThat(reply.status()).isEqualTo(400);
    assertThat(reply.errorCode()).isEqualTo("invalid_push");
    List<String> fields = new ArrayList<>();
    reply.body().path("error").path("fields").forEach(f -> fields.add(f.path("field").asText()));
    assertThat(fields).containsExactlyInAnyOrder("requestId", "appId", "kind", "templateId", "data.keyword1", "audience");
    assertThat(reply.body().path("error").path("message").asText()).contains("6 problem(s)");
    assertThat(kafka.history()).isEmpty();
    assertThat(statuses.accepted).isEmpty();
  }

  @Test
  void aBodyThatIsNotAJsonObjectIsRefusedBeforeParsing() throws Exception {
    ApiClient api = serve(acking(), Duration.ofSeconds(5));
    assertThat(api.push(KEY, "{\"appId\":").errorCode()).isEqualTo("malformed_json");
    assertThat(api.push(KEY, "").errorCode()).isEqualTo("malformed_json");
    assertThat(api.push(KEY, "[{\"appId\":\"wxapp1\"}]").errorCode()).isEqualTo("invalid_request");
  }

  @Test
  void withoutTheApiKeyNothingIsAcceptedOrShown() throws Exception {
    MockProducer<String, byte[]> kafka = acking();
    ApiClient api = serve(kafka, Duration.ofSeconds(5));
    statuses.statuses.put("order-1", new PushStatus("order-1", "done", 1, 1, 0, 0, 0, 0, Map.of()));
    for (String bearer : new String[] {null, "wrong-key"}) {
      assertThat(api.push(bearer, push("order-2")).status()).isEqualTo(401);
      ApiClient.Reply status = api.pushStatus(bearer, "order-1");
      assertThat(status.status()).isEqualTo(401);
      assertThat(status.errorCode()).isEqualTo("unauthorized");
    }
    assertThat(kafka.history()).isEmpty();
    assertThat(statuses.accepted).isEmpty();
  }

  @Test
  void whenKafkaDoesNotAcknowledgeTheAnswerIs503AndARetryPublishesAgain() throws Exception {
    MockProducer<String, byte[]> silent = new MockProducer<>(false, null, new StringSerializer(), new ByteArraySerializer());
    ApiClient down = serve(silent, Duration.ofMillis(200));

    ApiClient.Reply refused = down.push(KEY, push("order-7"));

    assertThat(refused.status()).isEqualTo(503);
    assertThat(refused.errorCode()).isEqualTo("unavailable");
    assertThat(refused.header("Retry-After")).contains("5");
    assertThat(statuses.published).as("not known to be published").doesNotContainKey("order-7");

    MockProducer<String, byte[]> kafka = acking();
    ApiClient.Reply retried = serve(kafka, Duration.ofSeconds(5)).push(KEY, push("order-7")).expect(202);
    assertThat(retried.header("Idempotent-Replayed")).contains("true");
    assertThat(kafka.history()).extracting(r -> r.key()).containsExactly("order-7");
    assertThat(statuses.published).containsKey("order-7");
  }

  @Test
  void theStatusOfAKnownPushIsAnsweredFieldByField() throws Exception {
    ApiClient api = serve(acking(), Duration.ofSeconds(5));
    statuses.statuses.put("order-1", new PushStatus("order-1", "sending", 10, 6, 2, 1, 0, 1, Map.of("no_credential", 2L, "errcode_43101", 1L)));

    JsonNode status = api.pushStatus(KEY, "order-1").expect(200).body();

    assertThat(status.path("requestId").asText()).isEqualTo("order-1");
    assertThat(status.path("state").asText()).isEqualTo("sending");
    assertThat(status.path("final").asBoolean()).as("final").isFalse();
    assertThat(status.path("targets").asLong()).isEqualTo(10);
    assertThat(status.path("sent").asLong()).isEqualTo(6);
    assertThat(status.path("noCredential").asLong()).isEqualTo(2);
    assertThat(status.path("failed").asLong()).isEqualTo(1);
    assertThat(status.path("unknown").asLong()).isZero();
    assertThat(status.path("pending").asLong()).isEqualTo(1);
    assertThat(status.path("byReason").path("errcode_43101").asLong()).isEqualTo(1);
  }

  @Test
  void anUnknownPushIs404() throws Exception {
    ApiClient api = serve(acking(), Duration.ofSeconds(5));
    ApiClient.Reply reply = api.pushStatus(KEY, "nobody-asked");
    assertThat(reply.status()).isEqualTo(404);
    assertThat(reply.errorCode()).isEqualTo("not_found");
  }
}
