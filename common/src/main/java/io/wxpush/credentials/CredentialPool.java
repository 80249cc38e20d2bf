package io.wxpush.credentials;

import io.wxpush.redis.RedisKeys;
import io.wxpush.redis.RedisConnections;
import io.wxpush.redis.RedisScript;
import io.wxpush.redis.StoreUnavailableException;
import io.wxpush.user.UserRef;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.BiPredicate;
import java.util.function.IntConsumer;
import java.util.function.ToIntFunction;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.params.ZAddParams;
import redis.clients.jedis.resps.Tuple;

/**
 * Each user's push credentials in Redis: add (idempotent), inspect, purge the expired; the user
 * index they keep is read through {@link #index()}. Claiming one for a push is the push-worker's {@code SendLedger}'s first step. Entries of one user live under the hash tag
 * {@code {appId:openId}}, so every script runs on Redis Cluster too. Thread-safe; every method
 * blocks on Redis.
 */
public final class CredentialPool {
  private static final String LIBRARY = "ledger-lib.lua";
  private static final RedisScript ADD = RedisScript.load(CredentialPool.class, LIBRARY, "pool-add.lua");
  private static final RedisScript DROP_GRANTS = RedisScript.load(CredentialPool.class, LIBRARY, "pool-drop-grants.lua");
  private static final RedisScript SWEEP = RedisScript.load(CredentialPool.class, LIBRARY, "pool-sweep.lua");

  private final UnifiedJedis redis;
  private final RedisKeys keys;
  private final Clock clock;
  private final int perUserCap;
  private final int grantTemplateCap;
  private final IntConsumer onGrantsRefused;
  private final ToIntFunction<String> grantMatchWindow;
  private final UserIndex index;
  private final BiPredicate<String, String> longTerm;

  /** Default of {@code MAX_GRANT_TEMPLATES}. */
  public static final int DEFAULT_GRANT_TEMPLATES = 50;
  /**
   * A form_id/prepay_id expiring sooner than this is not claimed (it could expire in flight): the
   * senders' margin ({@code SendLedger}'s {@code expiryMargin}), which a dry run's estimate keeps too.
   */
  public static final Duration CLAIM_MARGIN = Duration.ofSeconds(60);

  /** How long a user's set of templates with grants lives without a new grant. */
  public static final Duration GRANT_TEMPLATES_TTL = Duration.ofDays(30);

  /** @param perUserCap most entries kept per pool (the freshest win), default 200 */
  public CredentialPool(UnifiedJedis redis, RedisKeys keys, Clock clock, int perUserCap) {
    this(redis, keys, clock, perUserCap, DEFAULT_GRANT_TEMPLATES, n -> { });
  }

  /**
   * @param grantTemplateCap {@code MAX_GRANT_TEMPLATES}: most templates one user holds grants for; a
   *     grant of a further template is not stored
   * @param onGrantsRefused told how many grants a batch did not store for that cap
   */
  public CredentialPool(UnifiedJedis redis, RedisKeys keys, Clock clock, int perUserCap, int grantTemplateCap,
      IntConsumer onGrantsRefused) {
    this(redis, keys, clock, perUserCap, grantTemplateCap, onGrantsRefused, appId -> 0);
  }

  /**
   * @param grantMatchWindow per app, the seconds within which an event's grant and a client's of
   *     the same user and template count as one accept ({@code GRANT_SOURCE=both}); 0 for none
   */
  public CredentialPool(UnifiedJedis redis, RedisKeys keys, Clock clock, int perUserCap, int grantTemplateCap,
      IntConsumer onGrantsRefused, ToIntFunction<String> grantMatchWindow) {
    this(redis, keys, clock, perUserCap, grantTemplateCap, onGrantsRefused, grantMatchWindow, (appId, templateId) -> false);
  }

  /**
   * @param longTerm whether (appId, templateId) is a long-term template (the registry's {@code type} 3):
   *     its grants are one standing permission per user (ledger-lib.lua), not one send per accept
   */
  public CredentialPool(UnifiedJedis redis, RedisKeys keys, Clock clock, int perUserCap, int grantTemplateCap,
      IntConsumer onGrantsRefused, ToIntFunction<String> grantMatchWindow, BiPredicate<String, String> longTerm) {
    this.longTerm = longTerm;
    this.grantMatchWindow = grantMatchWindow;
    if (perUserCap < 1) throw new IllegalArgumentException("perUserCap must be >= 1");
    if (grantTemplateCap < 1) throw new IllegalArgumentException("grantTemplateCap must be >= 1");
    this.redis = redis;
    this.keys = keys;
    this.clock = clock;
    this.perUserCap = perUserCap;
    this.grantTemplateCap = grantTemplateCap;
    this.onGrantsRefused = onGrantsRefused;
    this.index = new UserIndex(redis, keys, clock, longTerm);
  }

  public RedisKeys keys() {
    return keys;
  }

  /**
   * The form_id/prepay_id index's score of a user who holds only standing permissions: an expiry
   * beyond any recall window (epoch seconds, a listpack's 4-byte integer).
   */
  public static final long STANDING_SCORE = Integer.MAX_VALUE;

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

  /**
   * One user's entries of one pool within a batch: the script's keys, its score/member pairs, and the lowest score.
   * A long-term template's grants are its standing permission in the user's form_id/prepay_id pool ({@code standing}).
   */
  private record PoolEntries(UserRef user, String templateId, boolean standing, List<String> scoresAndMembers, long[] lowest) {}

  /** One {@code pool-add.lua} call of a batch, and how many entries it carries. */
  private record AddCall(List<String> keys, List<String> args, int entries) {}

  private int addPipelined(List<Credential> batch) {
    // Group by pool, in the batch's order: a user's upload arrives as adjacent records.
    Map<String, PoolEntries> byPool = new LinkedHashMap<>();
    for (Credential c : batch) {
      UserRef user = new UserRef(c.appId(), c.openId());
      boolean grant = c.kind() == CredentialKind.SUBSCRIPTION;
      boolean standing = grant && longTerm.test(c.appId(), c.templateId());
      String pool = standing ? keys.templatePool(user) + " " + c.templateId() : grant ? keys.grants(user, c.templateId()) : keys.templatePool(user);
      PoolEntries entries = byPool.computeIfAbsent(pool, k -> new PoolEntries(user, grant ? c.templateId() : "", standing, new ArrayList<>(),
          new long[] {Long.MAX_VALUE}));
      long seconds = (grant ? c.collectedAt() : c.expiresAt()) / 1000; // seconds: a listpack's 4-byte integers
      entries.lowest()[0] = Math.min(entries.lowest()[0], seconds);
      String score = Long.toString(seconds);
      for (String member : standing ? new String[] {PoolMember.standing(c.templateId())} : PoolMember.members(c)) {
        entries.scoresAndMembers().add(score);
        entries.scoresAndMembers().add(member);
      }
    }
    String now = Long.toString(clock.millis());
    String cap = Integer.toString(perUserCap);
    List<AddCall> calls = new ArrayList<>();
    List<Response<Object>> replies = new ArrayList<>();
    Set<String> indexed = new HashSet<>();
    Set<String> templates = new HashSet<>();
    try (AbstractPipeline pipeline = RedisConnections.pipelined(redis)) {
      for (Map.Entry<String, PoolEntries> e : byPool.entrySet()) {
        PoolEntries p = e.getValue();
        UserRef user = p.user();
        boolean grant = !p.templateId().isEmpty() && !p.standing();
        List<String> k = p.standing() ? List.of(keys.templatePool(user)) : grant ? List.of(e.getKey(), keys.userGrantTemplates(user)) : List.of(e.getKey());
        List<String> pairs = p.scoresAndMembers();
        for (int from = 0; from < pairs.size(); from += 2 * MAX_ENTRIES_PER_CALL) {
          List<String> args = new ArrayList<>(p.standing()
              ? List.of(now, cap, "standing", Long.toString(DROPPED_GRANT_MEMORY.toMillis()))
              : grant
              ? List.of(now, cap, "grant", Integer.toString(grantTemplateCap), p.templateId(), Long.toString(GRANT_TEMPLATES_TTL.toMillis()),
                  Integer.toString(grantMatchWindow.applyAsInt(user.appId())))
              : List.of(now, cap, "timed"));
          args.addAll(pairs.subList(from, Math.min(pairs.size(), from + 2 * MAX_ENTRIES_PER_CALL)));
          calls.add(new AddCall(k, args, (Math.min(pairs.size(), from + 2 * MAX_ENTRIES_PER_CALL) - from) / 2));
          replies.add(ADD.queue(pipeline, k, args, false));
        }
        int shard = RedisKeys.shardOf(user.openId());
        // a standing permission's holder is found through the form_id/prepay_id index (no index per
        // long-term template: Fanout filters that index by the permission)
        String index = p.templateId().isEmpty() || p.standing() ? keys.templateIndex(user.appId(), shard)
            : keys.grantIndex(user.appId(), shard, p.templateId());
        // once per user and index in a batch (after the user's entries, as before): the index
        // is a set, so a second ZADD in the same pipeline would change nothing
        if (indexed.add(index + " " + user.openId())) {
          // the template index scores a user by (a lower bound of) their soonest expiry: LT only ever
          // lowers it, and adds a user who is not in it; the grant index is by openId alone
          if (grant) pipeline.zadd(index, 0, user.openId());
          else if (p.standing()) pipeline.zadd(index, STANDING_SCORE, user.openId(), ZAddParams.zAddParams().lt());
          else pipeline.zadd(index, p.lowest()[0], user.openId(), ZAddParams.zAddParams().lt());
        }
        if (!p.templateId().isEmpty() && templates.add(user.appId() + " " + p.templateId())) {
          pipeline.sadd(keys.grantTemplates(user.appId()), p.templateId());
        }
      }
      pipeline.sync();
    }
    int[] added = {0, 0};
    // A node that does not know the script yet (a restart, or a Redis Cluster node this process
    // has not used it on) answers NOSCRIPT and runs nothing: send just those calls again, with
    // the source. On a cluster the other nodes' calls have run, so sending the whole batch again
    // would count their entries as old.
    List<AddCall> reload = new ArrayList<>();
    for (int i = 0; i < replies.size(); i++) {
      try {
        count(added, (Long) replies.get(i).get(), calls.get(i));
      } catch (RuntimeException e) {
        if (!RedisScript.isNoScript(e)) throw e;
        reload.add(calls.get(i));
      }
    }
    if (reload.isEmpty()) return done(added);
    List<Response<Object>> again = new ArrayList<>();
    try (AbstractPipeline pipeline = RedisConnections.pipelined(redis)) {
      for (AddCall call : reload) again.add(ADD.queue(pipeline, call.keys(), call.args(), true));
      pipeline.sync();
    }
    for (int i = 0; i < again.size(); i++) count(added, (Long) again.get(i).get(), reload.get(i));
    return done(added);
  }

  /** Adds one call's reply to {@code [added, refused]}: −1 is a grant refused for the template cap. */
  private static void count(int[] totals, long reply, AddCall call) {
    if (reply >= 0) totals[0] += (int) reply;
    else totals[1] += call.entries();
  }

  private int done(int[] totals) {
    if (totals[1] > 0) onGrantsRefused.accept(totals[1]);
    return totals[0];
  }

  /** How long a grant dropped by a rejection is remembered as spent (a late retry of its accept adds nothing). */
  public static final Duration DROPPED_GRANT_MEMORY = Duration.ofDays(1);

  /**
   * The user rejected the template: every live grant of it is spent now, and (a long-term template) its
   * standing permission ends. Returns how many there were.
   */
  public int dropGrants(UserRef user, String templateId) {
    String forgetAt = Long.toString((clock.millis() + DROPPED_GRANT_MEMORY.toMillis()) / 1000);
    if (longTerm.test(user.appId(), templateId)) {
      return ((Long) DROP_GRANTS.eval(redis, List.of(keys.grants(user, templateId), keys.ledger(user), keys.templatePool(user)),
          List.of(forgetAt, PoolMember.standing(templateId)))).intValue();
    }
    return ((Long) DROP_GRANTS.eval(redis, List.of(keys.grants(user, templateId), keys.ledger(user)), List.of(forgetAt))).intValue();
  }

  /** Whether (appId, templateId) is a long-term template, as this pool was told. */
  public boolean isLongTerm(String appId, String templateId) {
    return templateId != null && longTerm.test(appId, templateId);
  }

  /** Live entries of one user, by kind and template. */
  public PoolSnapshot inspect(UserRef user) {
    return StoreUnavailableException.around("reading the pools of a user", () -> inspectNow(user));
  }

  private PoolSnapshot inspectNow(UserRef user) {
    long now = clock.millis();
    List<Tuple> live = redis.zrangeByScoreWithScores(keys.templatePool(user), "(" + now / 1000, "+inf");
    int formIds = 0;
    int sends = 0;
    Map<String, Boolean> prepays = new HashMap<>();
    Optional<Long> soonest = Optional.empty();
    for (Tuple t : live) {
      if (t.getElement().charAt(0) == 'L') continue; // (score 0 is not in the live range; kept for clarity)
      PoolMember entry = new PoolMember(t.getElement(), (long) t.getScore());
      if (entry.kind() == CredentialKind.FORM_ID) formIds++;
      else prepays.put(entry.value(), true);
      sends++;
      if (soonest.isEmpty()) soonest = Optional.of((long) t.getScore() * 1000);
    }
    Map<String, Integer> grants = new TreeMap<>();
    Set<String> standing = new TreeSet<>();
    for (String templateId : redis.smembers(keys.grantTemplates(user.appId()))) {
      if (longTerm.test(user.appId(), templateId)) {
        Double score = redis.zscore(keys.templatePool(user), PoolMember.standing(templateId));
        if (score != null && score == 0) standing.add(templateId);
        continue;
      }
      long n = redis.zcount(keys.grants(user, templateId), "(0", "+inf");
      if (n > 0) grants.put(templateId, (int) n);
    }
    return new PoolSnapshot(user.appId(), user.openId(), formIds, prepays.size(), sends, soonest, grants, standing);
  }

  /** What one sweep of an index shard did. */
  public record ShardSweep(int users, long dropped, int leftIndex) {}

  /**
   * Sweeps the users of one index shard (the form_id/prepay_id index, or one template's grant index)
   * in two or three pipelines: each pool drops what ran out (expired entries, forgotten spent marks,
   * final ledger entries past their keep time; a pool left with no live entry gets its TTL), then
   * users with neither a live entry nor a final ledger entry leave the index — and go back in if an
   * upload landed meanwhile.
   * Bounded: one shard holds about a hundred users.
   *
   * @param subscribeTemplateId null for the form_id/prepay_id index, else that template's grants
   */
  public ShardSweep sweepShard(String appId, String subscribeTemplateId, int shard) {
    String index = subscribeTemplateId == null ? keys.templateIndex(appId, shard) : keys.grantIndex(appId, shard, subscribeTemplateId);
    String mode = subscribeTemplateId == null ? "timed" : "grant";
    List<Tuple> scored = redis.zrangeWithScores(index, 0, -1);
    if (scored.isEmpty()) return new ShardSweep(0, 0, 0);
    List<String> users = new ArrayList<>(scored.size());
    for (Tuple t : scored) users.add(t.getElement());
    String now = Long.toString(clock.millis());
    List<String> pools = new ArrayList<>(users.size());
    List<String> ledgers = new ArrayList<>(users.size());
    for (String openId : users) {
      pools.add(keys.poolFor(new UserRef(appId, openId), subscribeTemplateId));
      ledgers.add(keys.ledger(new UserRef(appId, openId)));
    }
    long dropped = 0;
    List<Integer> empty = new ArrayList<>();
    Map<String, Long> rescore = new LinkedHashMap<>();
    // By SHA first; a node that does not know the script yet answers NOSCRIPT: then the whole shard
    // again with the source (a sweep is idempotent).
    for (boolean withSource : new boolean[] {false, true}) {
      List<Response<Long>> before = new ArrayList<>(users.size());
      List<Response<Object>> left = new ArrayList<>(users.size());
      try (AbstractPipeline pipeline = RedisConnections.pipelined(redis)) {
        for (int i = 0; i < pools.size(); i++) {
          String pool = pools.get(i);
          before.add(pipeline.zcount(pool, "(0", "+inf"));
          left.add(SWEEP.queue(pipeline, List.of(pool, ledgers.get(i)), List.of(mode, now), withSource));
        }
        pipeline.sync();
      }
      try {
        dropped = 0;
        empty.clear();
        rescore.clear();
        for (int i = 0; i < users.size(); i++) {
          List<?> held = (List<?>) left.get(i).get();
          long live = (Long) held.get(0);
          dropped += before.get(i).get() - live;
          long standing = held.size() > 3 ? (Long) held.get(3) : 0;
          if (live == 0 && (Long) held.get(1) == 0 && standing == 0) empty.add(i);
          long soonest = held.size() > 2 ? (Long) held.get(2) : 0;
          // a user holding only standing permissions stays, scored past any recall window
          if (subscribeTemplateId == null && live == 0 && standing > 0) soonest = STANDING_SCORE;
          if (subscribeTemplateId == null && (live > 0 || standing > 0) && soonest != (long) scored.get(i).getScore()) {
            rescore.put(users.get(i), soonest);
          }
        }
        break;
      } catch (RuntimeException e) {
        if (withSource || !RedisScript.isNoScript(e)) throw e;
      }
    }
    if (empty.isEmpty() && rescore.isEmpty()) return new ShardSweep(users.size(), dropped, 0);
    List<Response<Long>> again = new ArrayList<>(empty.size());
    try (AbstractPipeline pipeline = RedisConnections.pipelined(redis)) {
      // the sweep read each pool's soonest live expiry: the index's lower bound becomes exact again
      // (XX: a user who left meanwhile stays out; an upload racing this lowers it again, or the next sweep does)
      rescore.forEach((openId, soonest) -> pipeline.zadd(index, soonest, openId, ZAddParams.zAddParams().xx()));
      for (int i : empty) {
        pipeline.zrem(index, users.get(i));
        again.add(pipeline.zcount(pools.get(i), "(0", "+inf"));
      }
      pipeline.sync();
    }
    int stayed = 0;
    try (AbstractPipeline pipeline = RedisConnections.pipelined(redis)) {
      for (int j = 0; j < empty.size(); j++) {
        if (again.get(j).get() > 0) { // an upload landed between the sweep and the ZREM
          pipeline.zadd(index, 0, users.get(empty.get(j)));
          stayed++;
        }
      }
      pipeline.sync();
    }
    return new ShardSweep(users.size(), dropped, empty.size() - stayed);
  }

  /** Templates any user of {@code appId} holds (or held) grants for. */
  public Set<String> grantTemplates(String appId) {
    return redis.smembers(keys.grantTemplates(appId));
  }

  /** Forgets a template whose grant index is empty in every shard (the sweep found no holder). */
  public void forgetTemplate(String appId, String templateId) {
    redis.srem(keys.grantTemplates(appId), templateId);
  }

  /** The user index of the app's pools, to size and page: {@link UserIndex}. */
  public UserIndex index() {
    return index;
  }
}
