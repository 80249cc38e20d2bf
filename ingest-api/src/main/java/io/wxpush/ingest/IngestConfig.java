package io.wxpush.ingest;

import io.wxpush.config.CommonConfig;
import io.wxpush.config.Env;
import io.wxpush.config.Secret;
import io.wxpush.config.Setting;
import java.time.Duration;
import java.util.List;

/**
 * Everything ingest-api reads from the environment, validated at start-up; names, defaults and
 * meanings are declared in {@link Setting}. The WeChat time-out is the shared one
 * ({@link CommonConfig#weChatTimeout()}).
 */
public record IngestConfig(
    CommonConfig common,
    Secret sessionSigningKey,
    List<Secret> pushApiKeys,
    int httpPort,
    Duration sessionTtl,
    int uploadsPerUserPerMinute,
    Duration kafkaAckTimeout,
    Duration callbackTimeout,
    boolean callbackAllowPrivate) {

  public IngestConfig {
    pushApiKeys = List.copyOf(pushApiKeys);
  }

  public static IngestConfig read(Env env) {
    CommonConfig common = CommonConfig.read(env);
    Secret key = env.secret(Setting.SESSION_SIGNING_KEY, 32);
    List<Secret> apiKeys = env.secrets(Setting.PUSH_API_KEYS);
    int port = env.port(Setting.HTTP_PORT, Setting.Process.INGEST_API);
    Duration ttl = env.duration(Setting.SESSION_TTL);
    int uploads = env.integer(Setting.UPLOADS_PER_USER_PER_MINUTE, 1, 1_000_000);
    Duration ack = env.duration(Setting.KAFKA_ACK_TIMEOUT);
    Duration callbackTimeout = env.duration(Setting.CALLBACK_TIMEOUT);
    String allow = env.string(Setting.CALLBACK_ALLOW_PRIVATE).toLowerCase(java.util.Locale.ROOT);
    if (!allow.equals("true") && !allow.equals("false")) env.problem("CALLBACK_ALLOW_PRIVATE must be true or false");
    env.check();
    return new IngestConfig(common, key, apiKeys, port, ttl, uploads, ack, callbackTimeout, allow.equals("true"));
  }
}
