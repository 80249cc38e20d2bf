package io.wxpush.credentials;

import io.wxpush.redis.RedisConnections;
import io.wxpush.redis.RedisKeys;
import io.wxpush.user.UserRef;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiPredicate;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.params.ZAddParams;
import redis.clients.jedis.resps.Tuple;

/**
 * The user index of an app's pools, read side: its size, the recall's count, and the pages the
 * fan-out walks. The index is {@value RedisKeys#INDEX_SHARDS} sorted sets per app (and per subscribe
 * template, for grants) of openIds: the form_id/prepay_id one scored by a lower bound of each user's
 * soonest expiry (uploads lower it, sweeps make it exact, the recall fixes a stale one it meets), the
 * grant ones by grant. {@link CredentialPool} writes it with the pools; this class only reads it,
 * but for the recall's fixes. Thread-safe; every method blocks on Redis.
 */
public final class UserIndex {
  private final UnifiedJedis redis;
  private final RedisKeys keys;
  private final Clock clock;
  private final BiPredicate<String, String> longTerm;

  /** @param longTerm whether (appId, templateId) is a long-term template, as the pool was told */
  UserIndex(UnifiedJedis redis, RedisKeys keys, Clock clock, BiPredicate<String, String> longTerm) {
    this.longTerm = longTerm;
    this.redis = redis;
    this.keys = keys;
    this.clock = clock;
  }

  /**
   * The index an everyone-push reads, as the {@code subscribeTemplateId} its methods take: a one-time
   * template's grant index, or null — the form_id/prepay_id index — for a template message and for a
   * long-term template, whose holders are in it and are picked out by {@link #holders}.
   */
  public String everyoneIndex(String appId, String subscribeTemplateId) {
    return subscribeTemplateId == null || longTerm.test(appId, subscribeTemplateId) ? null : subscribeTemplateId;
  }

  /**
   * Of {@code openIds} (users of {@code appId}), those holding a standing permission for the
   * long-term template {@code templateId}, in their order: one pipelined read per user.
   */
  public List<String> holders(String appId, String templateId, List<String> openIds) {
    String member = PoolMember.standing(templateId);
    List<Response<Double>> scores = new ArrayList<>(openIds.size());
    try (AbstractPipeline pipeline = RedisConnections.pipelined(redis)) {
      for (String openId : openIds) scores.add(pipeline.zscore(keys.templatePool(new UserRef(appId, openId)), member));
      pipeline.sync();
    }
    List<String> held = new ArrayList<>();
    for (int i = 0; i < openIds.size(); i++) {
      Double score = scores.get(i).get();
      if (score != null && score == 0) held.add(openIds.get(i));
    }
    return held;
  }

  /** Users in one index shard. */
  public long shardSize(String appId, String subscribeTemplateId, int shard) {
    return redis.zcard(subscribeTemplateId == null ? keys.templateIndex(appId, shard) : keys.grantIndex(appId, shard, subscribeTemplateId));
  }

  /** Users in the whole index (one pipelined ZCARD per shard). */
  public long indexSize(String appId, String subscribeTemplateId) {
    List<Response<Long>> sizes = new ArrayList<>(RedisKeys.INDEX_SHARDS);
    try (AbstractPipeline pipeline = RedisConnections.pipelined(redis)) {
      for (int shard = 0; shard < RedisKeys.INDEX_SHARDS; shard++) {
        sizes.add(pipeline.zcard(subscribeTemplateId == null ? keys.templateIndex(appId, shard) : keys.grantIndex(appId, shard, subscribeTemplateId)));
      }
      pipeline.sync();
    }
    return sizes.stream().mapToLong(Response::get).sum();
  }

  /**
   * About how many users of the form_id/prepay_id index a recall by {@code expiresBySecond} reaches
   * (one pipelined ZCOUNT per shard; an upper bound: the index holds lower bounds of expiry).
   */
  public long expiringCount(String appId, long expiresBySecond) {
    List<Response<Long>> counts = new ArrayList<>(RedisKeys.INDEX_SHARDS);
    try (AbstractPipeline pipeline = RedisConnections.pipelined(redis)) {
      for (int shard = 0; shard < RedisKeys.INDEX_SHARDS; shard++) {
        counts.add(pipeline.zcount(keys.templateIndex(appId, shard), "-inf", Long.toString(expiresBySecond)));
      }
      pipeline.sync();
    }
    return counts.stream().mapToLong(Response::get).sum();
  }

  /** A user of the index and the shard it is in. */
  public record Indexed(int shard, String openId) {}

  /** Shards read per pipeline when paging across them. */
  private static final int SHARDS_PER_READ = 64;

  /**
   * One page of the whole index, shard after shard and in openId order within a shard, starting
   * after ({@code fromShard}, {@code afterOpenId}) ({@code afterOpenId} null: from the start of
   * that shard). Stable and resumable: the last entry of a page is the next cursor. Empty shards
   * cost a pipelined read among {@value #SHARDS_PER_READ}, not a round trip each. A shard is read
   * whole (about a hundred users: the template index is scored by expiry, not by openId) and
   * ordered here.
   */
  public List<Indexed> indexPageAcross(String appId, String subscribeTemplateId, int fromShard, String afterOpenId, int limit) {
    return pageAcross(appId, subscribeTemplateId, fromShard, afterOpenId, limit, Long.MAX_VALUE);
  }

  /**
   * As {@link #indexPageAcross} for the recall audience: the users of the form_id/prepay_id index
   * whose soonest live entry expires at or before {@code expiresBySecond} (epoch seconds). Each
   * shard is read by score ({@code ZRANGEBYSCORE}: only the users in the window come back), and each
   * of them is checked against their pool, since the index holds a lower bound; a user whose bound
   * was stale gets the exact one. Users who turn out not to be in the window are skipped, but the
   * cursor moves past them: {@link ExpiringPage#cursor()}.
   */
  public ExpiringPage expiringPageAcross(String appId, int fromShard, String afterOpenId, long expiresBySecond, int limit) {
    List<Indexed> candidates = pageAcross(appId, null, fromShard, afterOpenId, limit, expiresBySecond);
    if (candidates.isEmpty()) return new ExpiringPage(List.of(), null, 0);
    long nowSec = clock.millis() / 1000;
    List<Response<List<Tuple>>> soonest = new ArrayList<>(candidates.size());
    try (AbstractPipeline pipeline = RedisConnections.pipelined(redis)) {
      for (Indexed c : candidates) {
        soonest.add(pipeline.zrangeByScoreWithScores(keys.templatePool(new UserRef(appId, c.openId())), "(" + nowSec, "+inf", 0, 1));
      }
      pipeline.sync();
    }
    List<Indexed> in = new ArrayList<>(candidates.size());
    Map<Indexed, Long> fix = new LinkedHashMap<>();
    for (int i = 0; i < candidates.size(); i++) {
      List<Tuple> first = soonest.get(i).get();
      if (first.isEmpty()) continue; // nothing live: the sweep takes the user out
      long expiry = (long) first.getFirst().getScore();
      if (expiry <= expiresBySecond) in.add(candidates.get(i));
      else fix.put(candidates.get(i), expiry);
    }
    if (!fix.isEmpty()) {
      try (AbstractPipeline pipeline = RedisConnections.pipelined(redis)) {
        fix.forEach((c, expiry) -> pipeline.zadd(keys.templateIndex(appId, c.shard()), expiry, c.openId(), ZAddParams.zAddParams().xx().gt()));
        pipeline.sync();
      }
    }
    return new ExpiringPage(in, candidates.getLast(), candidates.size());
  }

  /**
   * A page of the recall audience.
   *
   * @param users in the window
   * @param cursor the last user read (in the window or not): where the next page starts; null at the end
   * @param read how many users the index gave for this page
   */
  public record ExpiringPage(List<Indexed> users, Indexed cursor, int read) {}

  /**
   * Users per shard last seen by a page of each index (app and template; the recall's by its own
   * bound): how many shards the next page reads at once, so that a page of 500 over an index of a
   * million reads about 9 shards rather than {@value #SHARDS_PER_READ} (3,900 users) each time.
   */
  private final Map<String, Double> density = new ConcurrentHashMap<>();

  private List<Indexed> pageAcross(String appId, String subscribeTemplateId, int fromShard, String afterOpenId, int limit, long maxScore) {
    List<Indexed> page = new ArrayList<>(limit);
    String after = afterOpenId;
    String max = maxScore == Long.MAX_VALUE ? "+inf" : Long.toString(maxScore);
    String densityKey = appId + " " + subscribeTemplateId + " " + (maxScore == Long.MAX_VALUE ? "all" : "by");
    long usersRead = 0;
    int shardsRead = 0;
    int size;
    for (int group = fromShard; group < RedisKeys.INDEX_SHARDS && page.size() < limit; group += size) {
      double perShard = shardsRead > 0 ? Math.max(usersRead / (double) shardsRead, 1e-3) : density.getOrDefault(densityKey, -1.0);
      size = perShard <= 0 ? SHARDS_PER_READ : (int) Math.max(1, Math.min(SHARDS_PER_READ, Math.ceil((limit - page.size()) / perShard) + 1));
      int end = Math.min(RedisKeys.INDEX_SHARDS, group + size);
      List<Response<List<String>>> reads = new ArrayList<>(end - group);
      try (AbstractPipeline pipeline = RedisConnections.pipelined(redis)) {
        for (int shard = group; shard < end; shard++) {
          String index = subscribeTemplateId == null ? keys.templateIndex(appId, shard) : keys.grantIndex(appId, shard, subscribeTemplateId);
          reads.add(pipeline.zrangeByScore(index, "-inf", max));
        }
        pipeline.sync();
      }
      for (int i = 0; i < reads.size(); i++) {
        List<String> shardUsers = new ArrayList<>(reads.get(i).get());
        usersRead += shardUsers.size();
        shardsRead++;
        if (page.size() == limit) continue;
        Collections.sort(shardUsers);
        for (String openId : shardUsers) {
          if (group + i == fromShard && after != null && openId.compareTo(after) <= 0) continue;
          if (page.size() == limit) break;
          page.add(new Indexed(group + i, openId));
        }
      }
    }
    if (shardsRead > 0) density.put(densityKey, usersRead / (double) shardsRead);
    return page;
  }

  /**
   * One page of the user index in openId order, starting after {@code afterOpenId} (or from the
   * start when null). Stable and resumable: the last openId of a page is the next cursor.
   *
   * @param subscribeTemplateId null for users with form_ids/prepay_ids, else grants of it
   */
  public List<String> indexPage(String appId, String subscribeTemplateId, int shard, String afterOpenId, int limit) {
    String index = subscribeTemplateId == null ? keys.templateIndex(appId, shard) : keys.grantIndex(appId, shard, subscribeTemplateId);
    List<String> all = new ArrayList<>(redis.zrange(index, 0, -1));
    Collections.sort(all);
    return all.stream().filter(o -> afterOpenId == null || o.compareTo(afterOpenId) > 0).limit(limit).toList();
  }

  /** One user's score in the form_id/prepay_id index (a lower bound of their soonest expiry, epoch seconds), if indexed. */
  public Optional<Long> indexedExpiry(String appId, String openId) {
    Double score = redis.zscore(keys.templateIndex(appId, RedisKeys.shardOf(openId)), openId);
    return score == null ? Optional.empty() : Optional.of(score.longValue());
  }
}
