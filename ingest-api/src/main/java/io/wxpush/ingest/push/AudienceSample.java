package io.wxpush.ingest.push;

import io.wxpush.redis.RedisConnections;
import io.wxpush.redis.RedisKeys;
import java.util.ArrayList;
import java.util.List;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.UnifiedJedis;

/**
 * Users of an app's index as a dry run reads them: how many the index holds in all (one pipelined
 * {@code ZCARD}/{@code ZCOUNT} per shard, exact), and the users of whole shards, from shard 0 on,
 * until at least {@code wanted} are read — every user when the index holds no more. A user's shard is
 * a hash of the openId, so the shards read are a random sample of the users. Reads only.
 * Thread-safe; blocks on Redis.
 */
final class AudienceSample {
  /** Shards read per pipeline. */
  private static final int SHARDS_PER_READ = 1_024;

  /**
   * @param total users of the index (in the score range asked), exactly
   * @param users the users of the shards read
   * @param whole every shard holding users was read: {@code users} is the whole index (as it was read)
   */
  record Sample(long total, List<String> users, boolean whole) {}

  private final UnifiedJedis redis;
  private final RedisKeys keys;

  AudienceSample(UnifiedJedis redis, RedisKeys keys) {
    this.redis = redis;
    this.keys = keys;
  }

  /**
   * The index of {@code grantTemplateId}'s grants, or (null) the form_id/prepay_id index, its users
   * scored at most {@code maxScore} ({@code +inf} for all; the form_id/prepay_id index is scored by
   * soonest expiry, epoch s).
   */
  Sample read(String appId, String grantTemplateId, String maxScore, int wanted) {
    long[] sizes = new long[RedisKeys.INDEX_SHARDS];
    long total = 0;
    for (int from = 0; from < RedisKeys.INDEX_SHARDS; from += SHARDS_PER_READ) {
      List<Response<Long>> counts = new ArrayList<>(SHARDS_PER_READ);
      try (AbstractPipeline pipeline = RedisConnections.pipelined(redis)) {
        for (int shard = from; shard < from + SHARDS_PER_READ; shard++) counts.add(pipeline.zcount(index(appId, grantTemplateId, shard), "-inf", maxScore));
        pipeline.sync();
      }
      for (int i = 0; i < counts.size(); i++) {
        sizes[from + i] = counts.get(i).get();
        total += sizes[from + i];
      }
    }
    List<String> users = new ArrayList<>();
    List<Integer> shards = new ArrayList<>();
    long chosen = 0;
    boolean whole = true;
    for (int shard = 0; shard < RedisKeys.INDEX_SHARDS; shard++) {
      if (sizes[shard] == 0) continue;
      if (chosen >= wanted) {
        whole = false;
        break;
      }
      shards.add(shard);
      chosen += sizes[shard];
    }
    for (int from = 0; from < shards.size(); from += SHARDS_PER_READ) {
      List<Response<List<String>>> reads = new ArrayList<>();
      try (AbstractPipeline pipeline = RedisConnections.pipelined(redis)) {
        for (int shard : shards.subList(from, Math.min(shards.size(), from + SHARDS_PER_READ))) {
          reads.add(pipeline.zrangeByScore(index(appId, grantTemplateId, shard), "-inf", maxScore));
        }
        pipeline.sync();
      }
      for (Response<List<String>> r : reads) users.addAll(r.get());
    }
    // users who came or went between the two reads: a whole read counts what it read
    return new Sample(whole ? users.size() : total, users, whole);
  }

  private String index(String appId, String grantTemplateId, int shard) {
    return grantTemplateId == null ? keys.templateIndex(appId, shard) : keys.grantIndex(appId, shard, grantTemplateId);
  }
}
