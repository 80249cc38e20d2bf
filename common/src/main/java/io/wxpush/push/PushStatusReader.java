package io.wxpush.push;

import io.wxpush.json.Json;
import io.wxpush.redis.RedisKeys;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import redis.clients.jedis.UnifiedJedis;

/** Reads a push's status hash, its reasons and its retryable count into a {@link PushStatus}. Thread-safe; blocking. */
final class PushStatusReader {
  private final UnifiedJedis redis;
  private final RedisKeys keys;

  PushStatusReader(UnifiedJedis redis, RedisKeys keys) {
    this.redis = redis;
    this.keys = keys;
  }

  Optional<PushStatus> read(String requestId) {
    Map<String, String> s = redis.hgetAll(keys.pushStatus(requestId));
    if (s.isEmpty()) return Optional.empty();
    long targets = number(s, "targets");
    long sent = number(s, "sent");
    long none = number(s, "noCredential");
    long failed = number(s, "failed");
    long unknown = number(s, "unknown");
    long cancelled = number(s, "cancelled");
    Map<String, Long> byReason = new TreeMap<>();
    redis.hgetAll(keys.pushReasons(requestId)).forEach((k, v) -> byReason.put(k, Long.parseLong(v)));
    String state = s.getOrDefault("state", PushState.ACCEPTED.wire());
    long pending = Math.max(0, targets - sent - none - failed - unknown - cancelled);
    return Optional.of(new PushStatus(requestId, state, targets, sent, none, failed, unknown, cancelled, pending, byReason, s.get("reason"),
        s.get("appId"), redis.scard(keys.pushRetryable(requestId)),
        s.containsKey("resumesAt") && !PushState.isFinal(state) ? Long.parseLong(s.get("resumesAt")) : null, describedRequest(s.get("request")),
        timeline(s)));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> describedRequest(String json) {
    if (json == null) return null;
    try {
      return Json.MAPPER.readValue(json, Map.class);
    } catch (java.io.IOException e) {
      return null;
    }
  }

  private static Map<String, Long> timeline(Map<String, String> s) {
    Map<String, Long> t = new java.util.LinkedHashMap<>();
    for (String f : new String[] {"createdAt", "startedAt", "fanoutDoneAt", "cancelledAt", "finishedAt"}) {
      if (s.get(f) != null) t.put(f, Long.parseLong(s.get(f)));
    }
    return t;
  }

  private static long number(Map<String, String> s, String field) {
    String v = s.get(field);
    return v == null ? 0 : Long.parseLong(v);
  }
}
