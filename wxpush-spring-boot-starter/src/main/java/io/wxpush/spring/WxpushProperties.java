package io.wxpush.spring;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The {@code wxpush.*} properties of a business service: where wxpush is and with which key, the
 * transport, and the service's apps by a name of its choosing.
 *
 * @param apiUrl ingest-api's root, e.g. {@code https://push.example.com} (HTTP transport)
 * @param apiKey the push API key (one of the deployment's {@code PUSH_API_KEYS}); pushes over HTTP
 *     send it, and callbacks of those pushes are signed with it
 * @param transport {@code http} ({@code POST /v1/pushes}) or {@code kafka} (straight to the push-requests topic)
 * @param timeout how long one push may take to be accepted
 * @param callbackTolerance how far a callback's {@code webhook-timestamp} may be from now
 * @param kafka the Kafka transport's settings
 * @param apps the service's mini-programs by name ({@code wxpush.apps.shop.app-id=wx1234…})
 */
@ConfigurationProperties("wxpush")
public record WxpushProperties(
    URI apiUrl,
    String apiKey,
    @DefaultValue("http") Transport transport,
    @DefaultValue("10s") Duration timeout,
    @DefaultValue("5m") Duration callbackTolerance,
    @DefaultValue Kafka kafka,
    Map<String, App> apps) {

  public WxpushProperties {
    apps = apps == null ? Map.of() : Map.copyOf(apps);
  }

  /** How pushes reach wxpush. */
  public enum Transport {
    /** {@code POST /v1/pushes} with the API key; callbacks and status work. */
    HTTP,
    /** Straight to {@code <topic-prefix>push-requests}; needs {@code org.apache.kafka:kafka-clients}. */
    KAFKA
  }

  /**
   * The Kafka transport's settings.
   *
   * @param bootstrapServers the deployment's {@code KAFKA_BOOTSTRAP_SERVERS}
   * @param topicPrefix the deployment's {@code KAFKA_TOPIC_PREFIX}
   * @param clientId the producer's {@code client.id}
   */
  public record Kafka(String bootstrapServers, @DefaultValue("wxpush.") String topicPrefix, @DefaultValue("wxpush-client") String clientId) {}

  /**
   * One mini-program of the service.
   *
   * @param appId its WeChat appId, as wxpush serves it
   * @param apiKey the push API key for this app when it is not {@code wxpush.api-key}
   * @param transport this app's transport when it is not {@code wxpush.transport}
   */
  public record App(String appId, String apiKey, Transport transport) {}
}
