package io.wxpush.client;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * For business services that publish push requests straight to {@code <prefix>push-requests}
 * (key = requestId) instead of calling {@code POST /v1/pushes}. {@link #push} returns once Kafka
 * has acknowledged the request (acks=all, idempotent producer). The fan-out checks each request
 * as the API does; one that breaks the API's rules ends {@code failed} there, so this client
 * refuses early what it can see: an app the deployment does not serve. Thread-safe; blocking.
 *
 * <pre>{@code
 * try (KafkaPushClient client = KafkaPushClient.connect("kafka:9092", "billing", "wxpush.", Set.of("wx1234"))) {
 *   String requestId = client.push(PushRequest.template("wx1234", "TPL_ORDER").data("keyword1", "shipped").toUsers("o-alice").build());
 * }
 * }</pre>
 */
public final class KafkaPushClient implements PushClient {
  private final Producer<String, byte[]> producer;
  private final String topic;
  private final Set<String> apps;
  private final Duration timeout;
  private final boolean owned;

  /**
   * On a producer the caller owns (and closes): keys are strings, values bytes.
   *
   * @param topicPrefix the deployment's {@code KAFKA_TOPIC_PREFIX} ({@code wxpush.} by default)
   * @param apps the appIds the deployment serves; a request for another is refused here
   */
  public KafkaPushClient(Producer<String, byte[]> producer, String topicPrefix, Set<String> apps, Duration timeout) {
    this(producer, topicPrefix, apps, timeout, false);
  }

  private KafkaPushClient(Producer<String, byte[]> producer, String topicPrefix, Set<String> apps, Duration timeout, boolean owned) {
    this.producer = Objects.requireNonNull(producer, "producer");
    this.topic = Objects.requireNonNull(topicPrefix, "topicPrefix") + "push-requests";
    this.apps = Set.copyOf(apps);
    this.timeout = Objects.requireNonNull(timeout, "timeout");
    this.owned = owned;
  }

  /**
   * A client with its own durable producer (acks=all, idempotent, 10 s to deliver); {@link #close()} closes it.
   *
   * @param topicPrefix the deployment's {@code KAFKA_TOPIC_PREFIX} ({@code wxpush.} by default)
   * @param apps the appIds the deployment serves; a request for another is refused here
   */
  public static KafkaPushClient connect(String bootstrapServers, String clientId, String topicPrefix, Set<String> apps) {
    Map<String, Object> props = new HashMap<>();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 10_000);
    props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 9_000);
    // send() waits this long for the topic's metadata (a cold producer on a busy host takes more than the server's 2 s)
    props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 5_000);
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    return new KafkaPushClient(new KafkaProducer<>(props), topicPrefix, apps, Duration.ofSeconds(10), true);
  }

  /** Thrown when a request is refused before publishing (an app the deployment does not serve, a missing field); nothing was published. */
  public static final class InvalidPushException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    private final transient List<Map<String, String>> errors;

    InvalidPushException(List<Map<String, String>> errors) {
      super("invalid push request: " + errors);
      this.errors = List.copyOf(errors);
    }

    /** The field errors, as {@code POST /v1/pushes} would answer them ({@code field}, {@code message}). */
    public List<Map<String, String>> errors() {
      return errors;
    }
  }

  /** Kafka did not acknowledge the request in time; publishing it again (the same requestId) is safe. */
  public static final class NotPublishedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    NotPublishedException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** Publishes {@code request}; returns its requestId once Kafka has acknowledged it. */
  @Override
  public String push(PushRequest request) throws InterruptedException {
    List<Map<String, String>> errors = new ArrayList<>();
    if (request.appId() == null || !apps.contains(request.appId())) errors.add(Map.of("field", "appId", "message", "is not an app this deployment serves"));
    if (request.kind() == null) errors.add(Map.of("field", "kind", "message", "is required"));
    if (request.templateId() == null) errors.add(Map.of("field", "templateId", "message", "is required"));
    if (request.audience() == null) errors.add(Map.of("field", "audience", "message", "is required"));
    if (request.requestId() == null) errors.add(Map.of("field", "requestId", "message", "is required on Kafka (the record's key)"));
    if (!errors.isEmpty()) throw new InvalidPushException(errors);
    try {
      producer.send(new ProducerRecord<>(topic, request.requestId(), ClientJson.write(request))).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new NotPublishedException("Kafka refused the request: " + e.getCause(), e.getCause());
    } catch (TimeoutException e) {
      throw new NotPublishedException("Kafka did not acknowledge the request within " + timeout, e);
    } catch (RuntimeException e) { // send() itself fails when metadata is not there within max.block.ms
      throw new NotPublishedException("Kafka refused the request: " + e, e);
    }
    return request.requestId();
  }

  @Override
  public void close() {
    if (owned) producer.close(timeout);
  }
}
