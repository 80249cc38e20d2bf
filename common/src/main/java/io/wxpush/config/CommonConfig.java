package io.wxpush.config;

import io.wxpush.kafka.Topics;
import io.wxpush.policy.Policy;
import io.wxpush.redis.RedisEndpoint;
import io.wxpush.redis.RedisKeys;
import io.wxpush.token.TokenManager;
import io.wxpush.wechat.WeChatApp;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The settings ingest-api and push-worker share, read from the environment in one
 * place; names, defaults and meanings are declared in {@link Setting}.
 *
 * @param redis {@code REDIS_URL}, parsed
 * @param apps {@code WECHAT_APPS}, required
 * @param replicationFactor {@code KAFKA_REPLICATION_FACTOR}; 0 means the broker's {@code default.replication.factor}
 * @param weChatTimeout {@code WECHAT_TIMEOUT}: the whole-call time-out of one WeChat call, in both processes
 * @param poolCapPerUser {@code POOL_CAP_PER_USER}: most entries kept per user and pool
 * @param tokenEndpoint {@code TOKEN_ENDPOINT}: where access tokens are fetched (workers send, ingest-api reads templates)
 * @param grantSources {@code GRANT_SOURCE}: apps not in it take {@link GrantSource#CLIENT}
 * @param defaultPolicy {@code QUIET_HOURS}, {@code MAX_PER_USER_PER_DAY}, {@code RESERVE_LAST}: the policy of
 *     an app with none stored ({@code PUT /v1/apps/{appId}/policy})
 */
public record CommonConfig(
    String kafkaBootstrapServers,
    String topicPrefix,
    RedisEndpoint redis,
    String redisKeyPrefix,
    URI weChatApiBase,
    Map<String, WeChatApp> apps,
    int topicPartitions,
    short replicationFactor,
    Duration weChatTimeout,
    int poolCapPerUser,
    TokenManager.Endpoint tokenEndpoint,
    Map<String, GrantSource> grantSources,
    Policy defaultPolicy) {

  /** Without a default policy (none: no quiet hours, no cap, no reserve). */
  public CommonConfig(String kafkaBootstrapServers, String topicPrefix, RedisEndpoint redis, String redisKeyPrefix, URI weChatApiBase,
      Map<String, WeChatApp> apps, int topicPartitions, short replicationFactor, Duration weChatTimeout, int poolCapPerUser,
      TokenManager.Endpoint tokenEndpoint, Map<String, GrantSource> grantSources) {
    this(kafkaBootstrapServers, topicPrefix, redis, redisKeyPrefix, weChatApiBase, apps, topicPartitions, replicationFactor, weChatTimeout,
        poolCapPerUser, tokenEndpoint, grantSources, Policy.NONE);
  }

  public CommonConfig {
    apps = Map.copyOf(apps);
    grantSources = Map.copyOf(grantSources);
  }

  /** Where {@code appId}'s grants come from. */
  public GrantSource grantSource(String appId) {
    return grantSources.getOrDefault(appId, GrantSource.CLIENT);
  }

  /** Reads the shared variables, recording problems in {@code env}; call {@link Env#check()} after. */
  public static CommonConfig read(Env env) {
    String bootstrap = env.string(Setting.KAFKA_BOOTSTRAP_SERVERS);
    String prefix = env.string(Setting.KAFKA_TOPIC_PREFIX);
    if (!prefix.matches("[A-Za-z0-9._-]*")) env.problem("KAFKA_TOPIC_PREFIX may hold only letters, digits, '.', '_' and '-'");
    String redisUrl = env.string(Setting.REDIS_URL);
    RedisEndpoint redis = null;
    try {
      redis = RedisEndpoint.parse(redisUrl);
    } catch (IllegalArgumentException e) {
      env.problem("REDIS_URL " + e.getMessage() + " (e.g. redis://localhost:6379 or redis-cluster://h1:7000,h2:7001)");
    }
    String keyPrefix = env.string(Setting.REDIS_KEY_PREFIX);
    if (keyPrefix.contains("{") || keyPrefix.contains("}")) env.problem("REDIS_KEY_PREFIX must not contain '{' or '}' (they mark hash tags)");
    URI api = env.httpUri(Setting.WECHAT_API_BASE);
    Map<String, WeChatApp> apps = env.weChatApps(Setting.WECHAT_APPS);
    int partitions = env.integer(Setting.KAFKA_TOPIC_PARTITIONS, 1, 10_000);
    short replication = (short) env.integer(Setting.KAFKA_REPLICATION_FACTOR, 0, 16);
    Duration weChatTimeout = env.duration(Setting.WECHAT_TIMEOUT);
    int poolCap = env.integer(Setting.POOL_CAP_PER_USER, 1, 100_000);
    TokenManager.Endpoint endpoint = TokenManager.Endpoint.STABLE;
    String tokenEndpoint = env.string(Setting.TOKEN_ENDPOINT).toLowerCase(Locale.ROOT);
    if (tokenEndpoint.equals("legacy")) endpoint = TokenManager.Endpoint.LEGACY;
    else if (!tokenEndpoint.equals("stable")) env.problem("TOKEN_ENDPOINT must be stable or legacy");
    Map<String, GrantSource> sources = Map.of();
    try {
      sources = GrantSource.parse(env.string(Setting.GRANT_SOURCE), apps.keySet());
    } catch (IllegalArgumentException e) {
      env.problem("GRANT_SOURCE: " + e.getMessage());
    }
    return new CommonConfig(bootstrap, prefix, redis, keyPrefix, api, apps, partitions, replication, weChatTimeout, poolCap, endpoint, sources,
        defaultPolicy(env));
  }

  private static Policy defaultPolicy(Env env) {
    Policy.QuietHours quiet = null;
    String q = env.string(Setting.QUIET_HOURS).trim();
    if (!q.isEmpty()) {
      try {
        quiet = Policy.QuietHours.parseSetting(q);
      } catch (RuntimeException e) {
        env.problem("QUIET_HOURS must look like 22:00-08:00@Asia/Shanghai (" + e.getMessage() + ")");
      }
    }
    int cap = env.integer(Setting.MAX_PER_USER_PER_DAY, 0, Policy.MAX_CAP);
    String reserve = env.string(Setting.RESERVE_LAST).trim().toLowerCase(Locale.ROOT);
    if (!reserve.equals("true") && !reserve.equals("false")) env.problem("RESERVE_LAST must be true or false");
    return new Policy(quiet, cap == 0 ? null : cap, reserve.equals("true"));
  }

  public Topics topics() {
    return new Topics(topicPrefix);
  }

  /** Replication factor for new topics, empty for the broker's default. */
  public Optional<Short> replication() {
    return replicationFactor == 0 ? Optional.empty() : Optional.of(replicationFactor);
  }

  /** The Redis key layout under {@code REDIS_KEY_PREFIX}. */
  public RedisKeys redisKeys() {
    return new RedisKeys(redisKeyPrefix);
  }
}
