package io.wxpush.push;

import com.fasterxml.jackson.databind.JsonNode;
import io.wxpush.json.Json;
import io.wxpush.kafka.AckedPublisher;
import io.wxpush.kafka.DurableProducer;
import io.wxpush.kafka.Topics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * For business services that publish push requests straight to {@code wxpush.push-requests}
 * instead of calling {@code POST /v1/pushes}. Requests are checked exactly as the API checks
 * them; {@link #publish} returns once Kafka has the request. Thread-safe; blocking.
 *
 * <pre>{@code
 * try (PushClient client = PushClient.connect("kafka:9092", "billing", "wxpush.", Set.of("wx1234"))) {
 *   String requestId = client.publish(Json.MAPPER.readTree(requestJson));
 * }
 * }</pre>
 */
public final class PushClient implements AutoCloseable {
  private final AckedPublisher publisher;
  private final Topics topics;
  private final PushRequestParser parser;
  private final AutoCloseable owned;

  /** On a publisher the caller owns (and closes). */
  public PushClient(AckedPublisher publisher, Topics topics, Set<String> apps) {
    this(publisher, topics, apps, () -> { });
  }

  private PushClient(AckedPublisher publisher, Topics topics, Set<String> apps, AutoCloseable owned) {
    this.publisher = publisher;
    this.topics = topics;
    this.parser = new PushRequestParser(apps);
    this.owned = owned;
  }

  /**
   * A client with its own durable producer (acks=all, idempotent); {@link #close()} closes it.
   *
   * @param topicPrefix the deployment's {@code KAFKA_TOPIC_PREFIX} ({@code wxpush.} by default)
   * @param apps the appIds the deployment serves; a request for another is refused here
   */
  public static PushClient connect(String bootstrapServers, String clientId, String topicPrefix, Set<String> apps) {
    KafkaProducer<String, byte[]> producer = DurableProducer.create(bootstrapServers, clientId, 10_000);
    return new PushClient(new AckedPublisher(producer, Duration.ofSeconds(10)), new Topics(topicPrefix), apps,
        () -> producer.close(Duration.ofSeconds(10)));
  }

  /** Thrown when a request does not pass the API's checks; nothing was published. */
  public static final class InvalidPushException extends IllegalArgumentException {
    private final List<Map<String, String>> errors;

    InvalidPushException(List<Map<String, String>> errors) {
      super("invalid push request: " + errors);
      this.errors = errors;
    }

    /** The field errors, as {@code POST /v1/pushes} would answer them. */
    public List<Map<String, String>> errors() {
      return errors;
    }
  }

  /** Validates and publishes a request body (the JSON of {@code POST /v1/pushes}); returns its requestId. */
  public String publish(JsonNode body) {
    return switch (parser.parse(body)) {
      case PushRequestParser.Valid v -> publish(v.request());
      case PushRequestParser.Invalid i -> throw new InvalidPushException(i.errors());
    };
  }

  /** Publishes an already-built request; returns its requestId. */
  public String publish(PushRequest request) {
    publisher.publishAll(List.of(new ProducerRecord<>(topics.pushRequests(), request.requestId(), Json.write(request))));
    return request.requestId();
  }

  @Override
  public void close() throws Exception {
    owned.close();
  }
}
