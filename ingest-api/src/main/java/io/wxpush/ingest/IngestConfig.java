package io.wxpush.ingest;

import io.wxpush.config.CommonConfig;
import io.wxpush.config.Env;
import io.wxpush.config.Secret;
import java.time.Duration;
import java.util.List;

/**
 * Everything ingest-api reads from the environment, validated at start-up.
 *
 * @param sessionSigningKey {@code SESSION_SIGNING_KEY}, HMAC key of session tokens, ≥ 32 bytes
 * @param pushApiKeys {@code PUSH_API_KEYS}, keys business services present
 * @param httpPort {@code HTTP_PORT}, default 8080
 * @param sessionTtl {@code SESSION_TTL}, lifetime of a session token, default 7 days
 * @param uploadsPerUserPerMinute {@code UPLOADS_PER_USER_PER_MINUTE}, default 60
 * @param kafkaAckTimeout {@code KAFKA_ACK_TIMEOUT}: how long an upload waits for Kafka before
 *     answering 503, default 5 s
 * @param weChatTimeout {@code WECHAT_TIMEOUT}, time-out of one WeChat call, default 5 s
 */
public record IngestConfig(
    CommonConfig common,
    Secret sessionSigningKey,
    List<Secret> pushApiKeys,
    int httpPort,
    Duration sessionTtl,
    int uploadsPerUserPerMinute,
    Duration kafkaAckTimeout,
    Duration weChatTimeout) {

  public IngestConfig {
    pushApiKeys = List.copyOf(pushApiKeys);
  }

  public static IngestConfig read(Env env) {
    CommonConfig common = CommonConfig.read(env);
    Secret key = env.secret("SESSION_SIGNING_KEY", 32);
    List<Secret> apiKeys = env.secrets("PUSH_API_KEYS");
    int port = env.port("HTTP_PORT", 8080);
    Duration ttl = env.duration("SESSION_TTL", Duration.ofDays(7));
    int uploads = env.integer("UPLOADS_PER_USER_PER_MINUTE", 60, 1, 1_000_000);
    Duration ack = env.duration("KAFKA_ACK_TIMEOUT", Duration.ofSeconds(5));
    Duration weChat = env.duration("WECHAT_TIMEOUT", Duration.ofSeconds(5));
    env.check();
    return new IngestConfig(common, key, apiKeys, port, ttl, uploads, ack, weChat);
  }
}
