package io.wxpush.credentials;

import io.wxpush.redis.RedisKeys;
import io.wxpush.redis.RedisConnections;
import io.wxpush.redis.RedisScript;
import io.wxpush.redis.StoreUnavailableException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.resps.Tuple;

/**
 * Each user's push credentials in Redis: add (idempotent), inspect, purge the expired, page the
 * user index. Claiming one for a push is the {@link SendLedger}'s first step. Entries of one user live under the hash tag
 * {@code {appId:openId}}, so every script runs on Redis Cluster too. Thread-safe; every method
 * blocks on Redis.
 */
public final class CredentialPool {
  private static final RedisScript ADD = RedisScript.load(CredentialPool.class, "pool-add.lua");

  private final UnifiedJedis redis;
  private final RedisKeys keys;
  private final Clock clock;
  private final int perUserCap;

  /** @param perUserCap most entries kept per pool (the freshest win), default 200 */
  public CredentialPool(UnifiedJedis redis, RedisKeys keys, Clock clock, int perUserCap) {
    if (perUserCap < 1) throw new IllegalArgumentException("perUserCap must be >= 1");
    this.redis = redis;
    this.keys = keys;
    this.clock = clock;
    this.perUserCap = perUserCap;
  }

  public RedisKeys keys() {
    return keys;
  }

  /** Most entries one {@code pool-add.lua} call carries (Lua's stack bounds its arguments). */
  private static final int MAX_ENTRIES_PER_CALL = 200;

  /**
   * Stores a batch in one pipeline: each user's entries into their pool with one script call per
   * pool (unless already spent), and each user into the app's index once per batch. Safe to
   * repeat with the same batch. Returns how many entries were new.
   */
  public int addAll(List<Credential> batch) {
    if (batch.isEmpty()) return 0;
    return addPipelined(batch);
  }

  /** One user's entries of one pool within a batch: the script's keys and its score/member pairs. */
  private record PoolEntries(UserRef user, String templateId, List<String> scoresAndMembers) {}

  /** One {@code pool-add.lua} call of a batch. */
  private record AddCall(List<String> keys, List<String> args) {}

  private int addPipelined(List<Credential> batch) {
    // Group by pool, in the batch's order: a user's upload arrives as adjacent records.
    Map<String, PoolEntries> byPool = new LinkedHashMap<>();
    for (Credential c : batch) {
      UserRef user = new UserRef(c.appId(), c.openId());
      boolean grant = c.kind() == CredentialKind.SUBSCRIPTION;
      String pool = grant ? keys.grants(user, c.templateId()) : keys.templatePool(user);
      PoolEntries entries = byPool.computeIfAbsent(pool, k -> new PoolEntries(user, grant ? c.templateId() : "", new ArrayList<>()));
      String score = Long.toString(grant ? c.collectedAt() : c.expiresAt());
      for (String member : PoolMember.members(c)) {
        entries.scoresAndMembers().add(score);
        entries.scoresAndMembers().add(member);
      }
    }
    String now = Long.toString(clock.millis());
    String cap = Integer.toString(perUserCap);
    List<AddCall> calls = new ArrayList<>();
    List<Response<Object>> replies = new ArrayList<>();
    Set<String> indexed = new HashSet<>();
    try (AbstractPipeline pipeline = RedisConnections.pipelined(redis)) {
      for (Map.Entry<String, PoolEntries> e : byPool.entrySet()) {
        PoolEntries p = e.getValue();
        UserRef user = p.user();
        List<String> k = List.of(e.getKey(), keys.spent(user), keys.grantTemplates(user));
        List<String> pairs = p.scoresAndMembers();
        for (int from = 0; from < pairs.size(); from += 2 * MAX_ENTRIES_PER_CALL) {
          List<String> args = new ArrayList<>(List.of(now, cap, p.templateId()));
          args.addAll(pairs.subList(from, Math.min(pairs.size(), from + 2 * MAX_ENTRIES_PER_CALL)));
          calls.add(new AddCall(k, args));
          replies.add(ADD.queue(pipeline, k, args, false));
        }
        int shard = RedisKeys.shardOf(user.openId());
        String index = p.templateId().isEmpty() ? keys.templateIndex(user.appId(), shard) : keys.grantIndex(user.appId(), shard, p.templateId());
        // once per user and index in a batch (after the user's entries, as before): the index
        // is a set, so a second ZADD in the same pipeline would change nothing
        if (indexed.add(index + " " + user.openId())) pipeline.zadd(index, 0, user.openId());
      }
      pipeline.sync();
    }
    int added = 0;
    // A node that does not know the script yet (a restart, or a Redis Cluster node this process
    // has not used it on) answers NOSCRIPT and runs nothing: send just those calls again, with
    // the source. On a cluster the other nodes' calls have run, so sending the whole batch again
    // would count their entries as old.
    List<AddCall> reload = new ArrayList<>();
    for (int i = 0; i < replies.size(); i++) {
      try {
        added += ((Long) replies.get(i).get()).intValue();
      } catch (RuntimeException e) {
        if (!RedisScript.isNoScript(e)) throw e;
        reload.add(calls.get(i));
      }
    }
    if (reload.isEmpty()) return added;
    List<Response<Object>> again = new ArrayList<>();
    try (AbstractPipeline pipeline = RedisConnections.pipelined(redis)) {
      for (AddCall call : reload) again.add(ADD.queue(pipeline, call.keys(), call.args(), true));
      pipeline.sync();
    }
    for (Response<Object> reply : again) added += ((Long) reply.get()).intValue();
    return added;
  }

  /** Live entries of one user, by kind and template. */
  public PoolSnapshot inspect(UserRef user) {
    return StoreUnavailableException.around("reading the pools of a user", () -> inspectNow(user));
  }

  private PoolSnapshot inspectNow(UserRef user) {
    long now = clock.millis();
    List<Tuple> live = redis.zrangeByScoreWithScores(keys.templatePool(user), "(" + now, "+inf");
    int formIds = 0;
    int sends = 0;
    Map<String, Boolean> prepays = new HashMap<>();
    Optional<Long> soonest = Optional.empty();
    for (Tuple t : live) {
      PoolMember entry = new PoolMember(t.getElement(), (long) t.getScore());
      if (entry.kind() == CredentialKind.FORM_ID) formIds++;
      else prepays.put(entry.value(), true);
      sends++;
      if (soonest.isEmpty()) soonest = Optional.of((long) t.getScore());
    }
    Map<String, Integer> grants = new TreeMap<>();
    for (String templateId : redis.smembers(keys.grantTemplates(user))) {
      long n = redis.zcard(keys.grants(user, templateId));
      if (n > 0) grants.put(templateId, (int) n);
    }
    return new PoolSnapshot(user.appId(), user.openId(), formIds, prepays.size(), sends, soonest, grants);
  }

  /**
   * Drops a user's expired form_ids and prepay_ids, and takes the user out of the index shards
   * whose pools are now empty. Returns how many entries it dropped.
   */
  public long purge(UserRef user) {
    long dropped = redis.zremrangeByScore(keys.templatePool(user), "-inf", "(" + clock.millis());
    int shard = RedisKeys.shardOf(user.openId());
    if (redis.zcard(keys.templatePool(user)) == 0) {
      String index = keys.templateIndex(user.appId(), shard);
      redis.zrem(index, user.openId());
      // An upload may have landed between the two calls: put the user back if so.
      if (redis.zcard(keys.templatePool(user)) > 0) redis.zadd(index, 0, user.openId());
    }
    for (String templateId : redis.smembers(keys.grantTemplates(user))) {
      if (redis.zcard(keys.grants(user, templateId)) == 0) {
        String index = keys.grantIndex(user.appId(), shard, templateId);
        redis.zrem(index, user.openId());
        if (redis.zcard(keys.grants(user, templateId)) > 0) redis.zadd(index, 0, user.openId());
      }
    }
    return dropped;
  }

  /**
   * One page of the user index in openId order, starting after {@code afterOpenId} (or from the
   * start when null). Stable and resumable: the last openId of a page is the next cursor.
   *
   * @param subscribeTemplateId null for users with form_ids/prepay_ids, else grants of it
   */
  public List<String> indexPage(String appId, String subscribeTemplateId, int shard, String afterOpenId, int limit) {
    String index = subscribeTemplateId == null ? keys.templateIndex(appId, shard) : keys.grantIndex(appId, shard, subscribeTemplateId);
    return redis.zrangeByLex(index, afterOpenId == null ? "-" : "(" + afterOpenId, "+", 0, limit);
  }
}
