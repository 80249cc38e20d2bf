package io.wxpush.ingest;

import io.wxpush.config.CommonConfig;
import io.wxpush.config.Env;
import io.wxpush.secret.Secret;
import io.wxpush.config.Setting;
import io.wxpush.ingest.auth.ApiKey;
import io.wxpush.ingest.auth.ClientAddress;
import io.wxpush.templates.Template;
import java.util.ArrayList;
import java.util.Locale;
import java.util.Map;
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
    List<ApiKey> pushApiKeys,
    ClientAddress clientAddress,
    int sessionsPerAddressPerMinute,
    Duration templateRefresh,
    Duration quotaRefresh,
    Map<String, Map<String, Template>> legacyTemplates,
    int httpPort,
    Duration sessionTtl,
    int uploadsPerUserPerMinute,
    Duration kafkaAckTimeout,
    Duration callbackTimeout,
    boolean callbackAllowPrivate,
    int callbackConcurrency) {

  public IngestConfig {
    pushApiKeys = List.copyOf(pushApiKeys);
    legacyTemplates = Map.copyOf(legacyTemplates);
  }

  public static IngestConfig read(Env env) {
    CommonConfig common = CommonConfig.read(env);
    Secret key = env.secret(Setting.SESSION_SIGNING_KEY, 32);
    List<String> problems = new ArrayList<>();
    List<ApiKey> apiKeys = ApiKey.parseAll(Setting.PUSH_API_KEYS.name(), env.secrets(Setting.PUSH_API_KEYS), common.apps().keySet(), problems);
    ClientAddress proxies = ClientAddress.direct();
    try {
      proxies = ClientAddress.parse(env.string(Setting.TRUSTED_PROXIES));
    } catch (IllegalArgumentException e) {
      problems.add("TRUSTED_PROXIES: " + e.getMessage());
    }
    int sessions = env.integer(Setting.SESSIONS_PER_ADDRESS_PER_MINUTE, 1, 1_000_000);
    Duration refresh = env.duration(Setting.TEMPLATE_REFRESH);
    if (refresh.compareTo(Duration.ofSeconds(30)) < 0) problems.add("TEMPLATE_REFRESH must be at least 30s");
    Duration quotaRefresh = env.duration(Setting.QUOTA_REFRESH);
    if (quotaRefresh.compareTo(Duration.ofSeconds(30)) < 0) problems.add("QUOTA_REFRESH must be at least 30s");
    Map<String, Map<String, Template>> legacy = Map.of();
    try {
      legacy = Template.parseLegacy(env.string(Setting.LEGACY_TEMPLATES), common.apps().keySet());
    } catch (IllegalArgumentException e) {
      problems.add("LEGACY_TEMPLATES: " + e.getMessage());
    }
    problems.forEach(env::problem);
    int port = env.port(Setting.HTTP_PORT, Setting.Process.INGEST_API);
    Duration ttl = env.duration(Setting.SESSION_TTL);
    int uploads = env.integer(Setting.UPLOADS_PER_USER_PER_MINUTE, 1, 1_000_000);
    Duration ack = env.duration(Setting.KAFKA_ACK_TIMEOUT);
    Duration callbackTimeout = env.duration(Setting.CALLBACK_TIMEOUT);
    if (callbackTimeout.isZero() || callbackTimeout.isNegative()) env.problem("CALLBACK_TIMEOUT must be positive");
    int callbackConcurrency = env.integer(Setting.CALLBACK_CONCURRENCY, 1, 1024);
    String allow = env.string(Setting.CALLBACK_ALLOW_PRIVATE).toLowerCase(Locale.ROOT);
    if (!allow.equals("true") && !allow.equals("false")) env.problem("CALLBACK_ALLOW_PRIVATE must be true or false");
    env.check();
    return new IngestConfig(common, key, apiKeys, proxies, sessions, refresh, quotaRefresh, legacy, port, ttl, uploads, ack, callbackTimeout, allow.equals("true"),
        callbackConcurrency);
  }
}
