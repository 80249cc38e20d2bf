package io.wxpush.config;

import java.net.URI;
import java.util.Map;

/**
 * The settings every wxpush process shares (BRIEF §3), read from the environment in one place.
 *
 * @param kafkaBootstrapServers {@code KAFKA_BOOTSTRAP_SERVERS}, default {@code localhost:9092}
 * @param topicPrefix {@code KAFKA_TOPIC_PREFIX}, default {@code wxpush.}
 * @param redis {@code REDIS_URL}, default {@code redis://localhost:6379}
 * @param redisKeyPrefix {@code REDIS_KEY_PREFIX}, default {@code wxpush:}; lets several
 *     deployments (or tests) share one Redis
 * @param weChatApiBase {@code WECHAT_API_BASE}, default {@code https://api.weixin.qq.com}
 * @param apps {@code WECHAT_APPS}, required: {@code appId:secret[,appId:secret…]}
 * @param topicPartitions {@code KAFKA_TOPIC_PARTITIONS}, partitions of topics this process
 *     creates, default 12
 * @param replicationFactor {@code KAFKA_REPLICATION_FACTOR}, replicas of topics this process
 *     creates; 0 (the default) means the broker's {@code default.replication.factor}
 */
public record CommonConfig(
    String kafkaBootstrapServers,
    String topicPrefix,
    RedisEndpoint redis,
    String redisKeyPrefix,
    URI weChatApiBase,
    Map<String, WeChatApp> apps,
    int topicPartitions,
    short replicationFactor) {

  public CommonConfig {
    apps = Map.copyOf(apps);
  }

  /** Reads the shared variables, recording problems in {@code env}; call {@link Env#check()} after. */
  public static CommonConfig read(Env env) {
    String bootstrap = env.string("KAFKA_BOOTSTRAP_SERVERS", "localhost:9092");
    String prefix = env.string("KAFKA_TOPIC_PREFIX", "wxpush.");
    if (!prefix.matches("[A-Za-z0-9._-]*")) env.problem("KAFKA_TOPIC_PREFIX may hold only letters, digits, '.', '_' and '-'");
    String redisUrl = env.string("REDIS_URL", "redis://localhost:6379");
    RedisEndpoint redis = null;
    try {
      redis = RedisEndpoint.parse(redisUrl);
    } catch (IllegalArgumentException e) {
      env.problem("REDIS_URL " + e.getMessage() + " (e.g. redis://localhost:6379 or redis-cluster://h1:7000,h2:7001)");
    }
    String keyPrefix = env.string("REDIS_KEY_PREFIX", "wxpush:");
    if (keyPrefix.contains("{") || keyPrefix.contains("}")) env.problem("REDIS_KEY_PREFIX must not contain '{' or '}' (they mark hash tags)");
    URI api = env.httpUri("WECHAT_API_BASE", "https://api.weixin.qq.com");
    Map<String, WeChatApp> apps = env.weChatApps("WECHAT_APPS");
    int partitions = env.integer("KAFKA_TOPIC_PARTITIONS", 12, 1, 10_000);
    short replication = (short) env.integer("KAFKA_REPLICATION_FACTOR", 0, 0, 16);
    return new CommonConfig(bootstrap, prefix, redis, keyPrefix, api, apps, partitions, replication);
  }

  public io.wxpush.kafka.Topics topics() {
    return new io.wxpush.kafka.Topics(topicPrefix);
  }

  /** Replication factor for new topics, empty for the broker's default. */
  public java.util.Optional<Short> replication() {
    return replicationFactor == 0 ? java.util.Optional.empty() : java.util.Optional.of(replicationFactor);
  }

  /** The Redis key layout under {@code REDIS_KEY_PREFIX}. */
  public io.wxpush.redis.RedisKeys redisKeys() {
    return new io.wxpush.redis.RedisKeys(redisKeyPrefix);
  }
}
