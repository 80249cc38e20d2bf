package io.wxpush.policy;

import io.wxpush.json.Json;
import io.wxpush.redis.RedisKeys;
import io.wxpush.redis.StoreUnavailableException;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.UnifiedJedis;

/**
 * Each app's {@link Policy}, shared by the fleet through Redis ({@link RedisKeys#policy}) and read
 * through a short local cache ({@value #LOCAL_MS} ms), so every fan-out and sender sees a change
 * within seconds and a send costs no extra round trip for it. An app with no stored policy has
 * the deployment's default (settings {@code QUIET_HOURS}, {@code MAX_PER_USER_PER_DAY},
 * {@code RESERVE_LAST}). While Redis cannot be read, the last policy read stays in use.
 * Thread-safe.
 */
public final class PolicyStore {
  private static final Logger log = LoggerFactory.getLogger(PolicyStore.class);
  /** How long this process reuses a policy it read. */
  public static final long LOCAL_MS = 2_000;

  private final UnifiedJedis redis;
  private final RedisKeys keys;
  private final Clock clock;
  private final Policy defaults;
  private final Map<String, Cached> local = new ConcurrentHashMap<>();

  private record Cached(Policy policy, long readAtMs) {}

  /** @param defaults the policy of an app that has none stored */
  public PolicyStore(UnifiedJedis redis, RedisKeys keys, Clock clock, Policy defaults) {
    this.redis = redis;
    this.keys = keys;
    this.clock = clock;
    this.defaults = defaults;
  }

  /** The app's policy as this process last read it (at most {@value #LOCAL_MS} ms ago). */
  public Policy get(String appId) {
    long now = clock.millis();
    Cached c = local.get(appId);
    if (c != null && now - c.readAtMs() < LOCAL_MS && now >= c.readAtMs()) return c.policy();
    try {
      Policy read = read(appId);
      local.put(appId, new Cached(read, now));
      return read;
    } catch (RuntimeException e) {
      if (c != null) return c.policy(); // Redis away: keep what was last read; the sends themselves wait for Redis
      log.warn("event=policy_unreadable app={} error={}", appId, e.toString());
      return defaults;
    }
  }

  /** What Redis holds now (or the default), past the local cache. */
  public Policy read(String appId) {
    String json = StoreUnavailableException.around("reading the policy of " + appId, () -> redis.get(keys.policy(appId)));
    if (json == null) return defaults;
    try {
      return switch (Policy.parse(Json.MAPPER.readTree(json))) {
        case Policy.Valid v -> v.policy();
        case Policy.Invalid i -> throw new IllegalStateException("stored policy of " + appId + " is invalid: " + i.errors());
      };
    } catch (IOException e) {
      throw new IllegalStateException("stored policy of " + appId + " is unreadable", e);
    }
  }

  /** Stores the app's policy for the whole fleet; this process uses it at once. */
  public void put(String appId, Policy policy) {
    StoreUnavailableException.around("storing the policy of " + appId, () -> redis.set(keys.policy(appId), Json.writeString(policy.toJson())));
    local.put(appId, new Cached(policy, clock.millis()));
  }

  /** The default policy (settings). */
  public Policy defaults() {
    return defaults;
  }

  /** How long a change takes to reach every process. */
  public static Duration propagation() {
    return Duration.ofMillis(LOCAL_MS);
  }
}
