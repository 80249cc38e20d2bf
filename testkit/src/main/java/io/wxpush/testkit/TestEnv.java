package io.wxpush.testkit;

import java.util.HashMap;
import java.util.Map;

/**
 * What one test gets from {@link RealServices}: where Kafka and Redis are, and names that no
 * other test uses (a topic prefix, which also prefixes consumer groups, and a Redis key prefix).
 *
 * @param id a short id unique to this test invocation
 */
public record TestEnv(String kafkaBootstrapServers, String redisUrl, String id) {

  /** {@code KAFKA_TOPIC_PREFIX} for this test, e.g. {@code t3fa9c1.}. */
  public String topicPrefix() {
    return "t" + id + ".";
  }

  /** {@code REDIS_KEY_PREFIX} for this test, e.g. {@code t3fa9c1:}. */
  public String redisKeyPrefix() {
    return "t" + id + ":";
  }

  /** A topic name of this test's own. */
  public String topic(String name) {
    return topicPrefix() + name;
  }

  /** A group name of this test's own. */
  public String group(String name) {
    return topicPrefix() + name;
  }

  /**
   * The environment a wxpush process started by this test should see: services and prefixes,
   * plus {@code extra} (which wins).
   */
  public Map<String, String> processEnv(Map<String, String> extra) {
    Map<String, String> env = new HashMap<>();
    env.put("KAFKA_BOOTSTRAP_SERVERS", kafkaBootstrapServers);
    env.put("REDIS_URL", redisUrl);
    env.put("KAFKA_TOPIC_PREFIX", topicPrefix());
    env.put("REDIS_KEY_PREFIX", redisKeyPrefix());
    env.putAll(extra);
    return env;
  }
}
