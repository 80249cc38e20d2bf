package io.wxpush.push;

import com.fasterxml.jackson.databind.JsonNode;
import io.wxpush.json.Json;
import io.wxpush.kafka.AckedPublisher;
import io.wxpush.kafka.Topics;
import java.util.List;
import java.util.Set;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * For business services that publish push requests straight to {@code wxpush.push-requests}
 * instead of calling {@code POST /v1/pushes}. Requests are checked exactly as the API checks
 * them; {@link #publish} returns once Kafka has the request. Thread-safe; blocking.
 *
 * <pre>{@code
 * PushClient client = new PushClient(new AckedPublisher(KafkaClients.durableProducer(servers, "billing", 10_000),
 *     Duration.ofSeconds(10)), new Topics("wxpush."), Set.of("wx1234"));
 * String requestId = client.publish(Json.MAPPER.readTree(requestJson));
 * }</pre>
 */
public final class PushClient {
  private final AckedPublisher publisher;
  private final Topics topics;
  private final PushRequestParser parser;

  public PushClient(AckedPublisher publisher, Topics topics, Set<String> apps) {
    this.publisher = publisher;
    this.topics = topics;
    this.parser = new PushRequestParser(apps);
  }

  /** Thrown when a request does not pass the API's checks; nothing was published. */
  public static final class InvalidPushException extends IllegalArgumentException {
    private final List<java.util.Map<String, String>> errors;

    InvalidPushException(List<java.util.Map<String, String>> errors) {
      super("invalid push request: " + errors);
      this.errors = errors;
    }

    public List<java.util.Map<String, String>> errors() {
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
}
