package io.wxpush.push;

import io.wxpush.json.Json;
import io.wxpush.redis.RedisConnections;
import io.wxpush.redis.RedisKeys;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.UnifiedJedis;

/**
 * Reads a push's status hash, its reasons and its retryable count into a {@link PushStatus}, and finds
 * which apps hold a requestId. A status written before requestIds were per app (its key without the
 * app) is read, never written, when the per-app key is missing and the old status names the app asked
 * for: it lasts its 8 days after an upgrade (docs/operations.md). Thread-safe; blocking.
 */
final class PushStatusReader {
  private final UnifiedJedis redis;
  private final RedisKeys keys;

  PushStatusReader(UnifiedJedis redis, RedisKeys keys) {
    this.redis = redis;
    this.keys = keys;
  }

  Optional<PushStatus> read(PushId id) {
    String requestId = id.requestId();
    Map<String, String> s = redis.hgetAll(keys.pushStatus(id.appId(), requestId));
    String reasonsKey = keys.pushReasons(id.appId(), requestId);
    String retryableKey = keys.pushRetryable(id.appId(), requestId);
    if (s.isEmpty()) {
      s = redis.hgetAll(keys.legacyPushStatus(requestId));
      if (s.isEmpty() || !id.appId().equals(s.get("appId"))) return Optional.empty(); // none, or another app's
      reasonsKey = keys.legacyPushReasons(requestId);
      retryableKey = null; // a retry of an old push is not taken: it has nothing retryable here
    }
    long targets = number(s, "targets");
    long sent = number(s, "sent");
    long none = number(s, "noCredential");
    long failed = number(s, "failed");
    long unknown = number(s, "unknown");
    long cancelled = number(s, "cancelled");
    Map<String, Long> byReason = new TreeMap<>();
    redis.hgetAll(reasonsKey).forEach((k, v) -> byReason.put(k, Long.parseLong(v)));
    String state = s.getOrDefault("state", PushState.ACCEPTED.wire());
    long pending = Math.max(0, targets - sent - none - failed - unknown - cancelled);
    return Optional.of(new PushStatus(requestId, state, targets, sent, none, failed, unknown, cancelled, pending, byReason, s.get("reason"),
        s.get("appId"), retryableKey == null ? 0 : redis.scard(retryableKey),
        s.containsKey("resumesAt") && !PushState.isFinal(state) ? Long.parseLong(s.get("resumesAt")) : null, describedRequest(s.get("request")),
        timeline(s)));
  }

  /** See {@link PushStatusStore#appsWith}. */
  List<String> appsWith(String requestId, Collection<String> appIds) {
    List<String> apps = List.copyOf(appIds);
    List<Response<Boolean>> found = new ArrayList<>(apps.size());
    try (AbstractPipeline p = RedisConnections.pipelined(redis)) {
      for (String app : apps) found.add(p.exists(keys.pushStatus(app, requestId)));
      p.sync();
    }
    List<String> with = new ArrayList<>();
    for (int i = 0; i < apps.size(); i++) if (found.get(i).get()) with.add(apps.get(i));
    if (with.isEmpty()) { // a push of before per-app ids: the app its status names
      String legacyApp = redis.hget(keys.legacyPushStatus(requestId), "appId");
      if (legacyApp != null && apps.contains(legacyApp)) with.add(legacyApp);
    }
    return with;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> describedRequest(String json) {
    if (json == null) return null;
    try {
      return Json.MAPPER.readValue(json, Map.class);
    } catch (IOException e) {
      return null;
    }
  }

  private static Map<String, Long> timeline(Map<String, String> s) {
    Map<String, Long> t = new LinkedHashMap<>();
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
