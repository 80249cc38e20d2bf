package io.wxpush.quota;

import com.fasterxml.jackson.databind.JsonNode;
import io.wxpush.json.Json;
import io.wxpush.redis.RedisKeys;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.params.SetParams;

/**
 * Each app's last read quota, shared by the fleet through Redis ({@link RedisKeys#quota}): written
 * by ingest-api's {@code QuotaRefresher}, read by the app page and the push API (ingest-api) and by
 * the senders' rate limit (push-worker). A quota not refreshed within its keep time is gone
 * rather than stale: the day's counts of yesterday would mislead. Thread-safe; every call is one
 * Redis round trip.
 */
public final class QuotaStore {
  private final UnifiedJedis redis;
  private final RedisKeys keys;

  public QuotaStore(UnifiedJedis redis, RedisKeys keys) {
    this.redis = redis;
    this.keys = keys;
  }

  /** Stores what WeChat answered, kept for {@code keep} unless refreshed again. */
  public void store(String appId, Quota quota, Duration keep) {
    redis.set(keys.quota(appId), Json.writeString(quota.toJson()), SetParams.setParams().px(Math.max(1, keep.toMillis())));
  }

  /** The app's quota as last read, empty until one is read (or when it is older than its keep time). */
  public Optional<Quota> read(String appId) {
    String json = redis.get(keys.quota(appId));
    return json == null ? Optional.empty() : decode(json);
  }

  /** A stored quota; empty when it cannot be read (written by a newer, different version). */
  static Optional<Quota> decode(String json) {
    try {
      JsonNode n = Json.MAPPER.readTree(json);
      JsonNode rate = n.path("rateLimit");
      Optional<Quota.RateLimit> rateLimit = rate.isObject()
          ? Optional.of(new Quota.RateLimit(rate.path("callCount").asLong(), rate.path("refreshSecond").asLong()))
          : Optional.empty();
      return Optional.of(new Quota(n.path("dailyLimit").asLong(), n.path("used").asLong(), n.path("remain").asLong(), rateLimit,
          n.path("refreshedAt").asLong()));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }
}
