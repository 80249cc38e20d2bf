package io.wxpush.ingest;

import io.javalin.http.Context;
import io.wxpush.credentials.CredentialPool;
import io.wxpush.ingest.auth.ApiKey;
import io.wxpush.ingest.auth.PushApiKeys;
import io.wxpush.policy.Policy;
import io.wxpush.policy.PolicyStore;
import io.wxpush.quota.Quota;
import io.wxpush.quota.QuotaStore;
import io.wxpush.redis.RedisKeys;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import redis.clients.jedis.UnifiedJedis;

/**
 * What the console shows of apps: {@code GET /v1/apps} (the apps the key may act for) and
 * {@code GET /v1/apps/{appId}} (its policy, WeChat's daily quota as last read ({@code quota}, null
 * until read), whether WeChat's quota paused it and until when, how
 * many users hold live credentials by kind, and how many users' soonest form_id or prepay_id
 * expires on each of the next 7 days). The counts come from the index shards (a pipelined
 * {@code ZCARD} or {@code ZCOUNT} per shard, never a scan of users) and are reused for
 * {@value #CACHE_SECONDS} s.
 */
public final class AppsHandler {
  static final int CACHE_SECONDS = 30;

  private final PushApiKeys keys;
  private final Set<String> apps;
  private final UnifiedJedis redis;
  private final RedisKeys redisKeys;
  private final CredentialPool pool;
  private final PolicyStore policies;
  private final QuotaStore quotas;
  private final Clock clock;
  private final Map<String, Cached> counts = new ConcurrentHashMap<>();

  private record Cached(Map<String, Object> counts, long atMs) {}

  public AppsHandler(PushApiKeys keys, Set<String> apps, UnifiedJedis redis, RedisKeys redisKeys, CredentialPool pool, PolicyStore policies,
      QuotaStore quotas, Clock clock) {
    this.quotas = quotas;
    this.keys = keys;
    this.apps = new TreeSet<>(apps);
    this.redis = redis;
    this.redisKeys = redisKeys;
    this.pool = pool;
    this.policies = policies;
    this.clock = clock;
  }

  public void list(Context ctx) {
    ApiKey key = keys.require(ctx);
    List<Map<String, Object>> mine = new ArrayList<>();
    for (String app : apps) if (key.mayActFor(app)) mine.add(Map.of("appId", app));
    ctx.json(Map.of("apps", mine));
  }

  public void show(Context ctx) {
    String appId = keys.requireForPathApp(ctx, apps);
    Policy policy = policies.read(appId);
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("appId", appId);
    answer.put("policy", policy.toJson());
    answer.put("quota", quotas.read(appId).map(Quota::toJson).orElse(null));
    answer.put("pause", pause(appId));
    answer.putAll(counts(appId, policy.zone()));
    ctx.json(answer);
  }

  /**
   * The app's quota pause (45011 rate limit, 45009 daily quota), or null: {@code until} (epoch ms) is
   * when the senders go on, for a 45009 the next Beijing midnight, when WeChat's day resets.
   */
  private Map<String, Object> pause(String appId) {
    String v = redis.get(redisKeys.pause(appId));
    if (v == null || v.indexOf(' ') < 0) return null;
    long until = Long.parseLong(v.substring(0, v.indexOf(' ')));
    if (until <= clock.millis()) return null;
    String code = v.substring(v.indexOf(' ') + 1);
    return Map.of("until", until, "errcode", code, "kind", code.equals("45009") ? "daily_quota" : "rate_limit");
  }

  private Map<String, Object> counts(String appId, ZoneId zone) {
    long now = clock.millis();
    Cached c = counts.get(appId);
    if (c != null && now - c.atMs() < CACHE_SECONDS * 1000L) return c.counts();
    Map<String, Object> m = new LinkedHashMap<>();
    Map<String, Object> users = new LinkedHashMap<>();
    users.put("formIdOrPrepayId", pool.index().indexSize(appId, null));
    Map<String, Long> grants = new TreeMap<>();
    for (String template : pool.grantTemplates(appId)) grants.put(template, pool.index().indexSize(appId, template));
    users.put("grantsByTemplate", grants);
    m.put("users", users);
    // users whose soonest form_id/prepay_id expires on each local (Beijing) day from today: the
    // index's scores are lower bounds of it, so this counts a user who spent their soonest early
    List<Map<String, Object>> days = new ArrayList<>();
    LocalDate today = LocalDate.now(clock.withZone(zone));
    long previous = pool.index().expiringCount(appId, now / 1000);
    for (int d = 0; d < 8; d++) {
      LocalDate day = today.plusDays(d);
      long end = day.plusDays(1).atStartOfDay(zone).toEpochSecond();
      long upTo = pool.index().expiringCount(appId, end);
      days.add(Map.of("day", day.toString(), "users", upTo - previous));
      previous = upTo;
    }
    m.put("expiringPerDay", days);
    m.put("countedAt", now);
    counts.put(appId, new Cached(m, now));
    return m;
  }

  /** How long the counts are reused. */
  public static Duration cacheFor() {
    return Duration.ofSeconds(CACHE_SECONDS);
  }
}
