package io.wxpush.push;

import io.wxpush.redis.RedisKeys;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.params.ZAddParams;
import redis.clients.jedis.resps.Tuple;

/**
 * Each app's list of its pushes in Redis (a sorted set by creation time, trimmed to what the statuses
 * keep), and its pages newest first by cursor for {@code GET /v1/pushes}. Thread-safe; blocking.
 */
final class PushListing {
  private final UnifiedJedis redis;
  private final RedisKeys keys;

  PushListing(UnifiedJedis redis, RedisKeys keys) {
    this.redis = redis;
    this.keys = keys;
  }

  /** Puts a push in its app's list (newest last), trimming what is older than the statuses kept. */
  void listed(String appId, String requestId, long now) {
    String list = keys.pushList(appId);
    redis.zadd(list, now, requestId, ZAddParams.zAddParams().nx());
    redis.zremrangeByScore(list, Double.NEGATIVE_INFINITY, now - PushStatusStore.RETENTION.toMillis());
  }

  /** See {@link PushStatusStore#list}. */
  PushStatusStore.Listed list(String appId, String cursor, int limit, Predicate<String> keep) {
    String key = keys.pushList(appId);
    double max = Double.POSITIVE_INFINITY;
    String after = null;
    if (cursor != null) {
      int colon = cursor.indexOf(':');
      max = Double.parseDouble(cursor.substring(0, colon));
      after = cursor.substring(colon + 1);
    }
    List<String> found = new ArrayList<>();
    int budget = 20 * limit;
    String last = null;
    double lastScore = max;
    int offset = 0;
    while (found.size() < limit && budget > 0) {
      List<Tuple> batch = redis.zrevrangeByScoreWithScores(key, max, Double.NEGATIVE_INFINITY, offset, Math.min(200, budget));
      if (batch.isEmpty()) return new PushStatusStore.Listed(found, null);
      for (Tuple t : batch) {
        offset++;
        budget--;
        if (after != null) { // skip up to and including the cursor's own entry (equal scores come in reverse member order)
          if (t.getScore() == max && t.getElement().compareTo(after) >= 0) continue;
          after = null;
        }
        last = t.getElement();
        lastScore = t.getScore();
        if (keep.test(t.getElement())) found.add(t.getElement());
        if (found.size() == limit || budget == 0) break;
      }
    }
    return new PushStatusStore.Listed(found, last == null ? null : (long) lastScore + ":" + last);
  }
}
