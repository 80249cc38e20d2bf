package io.wxpush.ingest;

import io.javalin.http.Context;
import io.wxpush.fleet.Heartbeat;
import io.wxpush.ingest.auth.PushApiKeys;
import io.wxpush.redis.RedisKeys;
import io.wxpush.redis.StoreUnavailableException;
import java.time.Clock;
import java.util.Map;
import redis.clients.jedis.UnifiedJedis;

/**
 * {@code GET /v1/fleet} (any valid push API key: it shows processes, no app's data): every running
 * ingest-api and push-worker, from their heartbeats ({@link Heartbeat}).
 */
public final class FleetHandler {
  private final PushApiKeys keys;
  private final UnifiedJedis redis;
  private final RedisKeys redisKeys;
  private final Clock clock;

  public FleetHandler(PushApiKeys keys, UnifiedJedis redis, RedisKeys redisKeys, Clock clock) {
    this.keys = keys;
    this.redis = redis;
    this.redisKeys = redisKeys;
    this.clock = clock;
  }

  public void list(Context ctx) {
    keys.require(ctx);
    ctx.json(Map.of("processes", StoreUnavailableException.around("reading the fleet",
        () -> Heartbeat.fleet(redis, redisKeys, clock)), "at", clock.millis()));
  }
}
