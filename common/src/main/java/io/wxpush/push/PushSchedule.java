package io.wxpush.push;

import io.wxpush.client.PushRequest;
import io.wxpush.json.Json;
import io.wxpush.redis.RedisKeys;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import redis.clients.jedis.UnifiedJedis;

/**
 * Pushes kept for later in Redis: each app's schedule (pushes whose {@code sendAt} is ahead) and the
 * whole request beside its marker, to publish again when its time comes or quiet hours end. Its state
 * moves through {@link PushLifecycle} ({@link PushTransition#SCHEDULE}). Thread-safe; blocking.
 */
final class PushSchedule {
  private final UnifiedJedis redis;
  private final RedisKeys keys;
  private final PushLifecycle lifecycle;

  PushSchedule(UnifiedJedis redis, RedisKeys keys, PushLifecycle lifecycle) {
    this.redis = redis;
    this.keys = keys;
    this.lifecycle = lifecycle;
  }

  /** SCHEDULE, then its body kept and its id in the app's schedule; false (nothing kept) when refused. */
  boolean schedule(PushRequest push) {
    if (!lifecycle.schedule(PushId.of(push))) return false;
    rememberBody(push);
    redis.zadd(keys.schedule(push.appId()), push.sendAt(), push.requestId());
    return true;
  }

  void rememberBody(PushRequest push) {
    String marker = keys.pushRequest(push.appId(), push.requestId());
    redis.hset(marker, "b", Json.writeString(push));
    if (redis.pttl(marker) < 0) redis.pexpire(marker, PushStatusStore.RETENTION.toMillis());
  }

  Optional<PushRequest> body(PushId id) {
    String b = redis.hget(keys.pushRequest(id.appId(), id.requestId()), "b");
    if (b == null) return Optional.empty();
    try {
      return Optional.of(Json.MAPPER.readValue(b, PushRequest.class));
    } catch (IOException e) {
      throw new IllegalStateException("unreadable body of push " + id, e);
    }
  }

  List<PushStatusStore.Due> due(String appId, int limit, long nowMs) {
    List<String> ids = redis.zrangeByScore(keys.schedule(appId), Double.NEGATIVE_INFINITY, nowMs, 0, limit);
    List<PushStatusStore.Due> due = new ArrayList<>(ids.size());
    for (String id : ids) due.add(new PushStatusStore.Due(id, redis.hget(keys.pushRequest(appId, id), "b")));
    return due;
  }

  void unschedule(String appId, String requestId) {
    redis.zrem(keys.schedule(appId), requestId);
  }
}
