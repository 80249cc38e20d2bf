package io.wxpush.ingest.push;

import com.fasterxml.jackson.databind.JsonNode;
import io.wxpush.client.PushRequest;
import io.wxpush.credentials.CredentialPool;
import io.wxpush.http.ApiException;
import io.wxpush.ingest.push.AudienceSample.Sample;
import io.wxpush.ingest.push.ClaimPreview.UserClaim;
import io.wxpush.policy.Policy;
import io.wxpush.policy.PolicyStore;
import io.wxpush.redis.RedisKeys;
import io.wxpush.redis.StoreUnavailableException;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.BiPredicate;
import java.util.function.Function;
import java.util.function.Predicate;
import redis.clients.jedis.UnifiedJedis;

/**
 * A dry run ({@code "dryRun": true} on {@code POST /v1/pushes}): what a push would meet if it were
 * sent now — its targets, the users a credential would be spent on (by kind), the users the frequency
 * cap or the reserve would skip, quiet hours, and the template check's problems — read from Redis
 * without writing anything (no claim, no trim, no TTL touched) and without publishing. Each user is
 * judged by the claim's own rules ({@link ClaimPreview}). A listed audience is judged user by user;
 * everyone and the recall are judged on a sample of the index's shards ({@link AudienceSample}) of at
 * least {@link #SAMPLE_USERS} users, scaled to the whole — exact when the index holds no more. Bounded:
 * one pipelined count per index shard and one script call per user judged. Thread-safe; blocks on Redis.
 */
public final class DryRun {
  /** Users judged for an everyone or recall audience before the counts are scaled: a 95% margin of about ±1.6% of the targets. */
  public static final int SAMPLE_USERS = 4_000;

  private final ClaimPreview claims;
  private final AudienceSample index;
  private final PolicyStore policies;
  private final BiPredicate<String, String> longTerm;
  private final Clock clock;
  private final Function<String, Optional<Long>> quotaRemain;

  /**
   * @param longTerm whether (appId, templateId) is a long-term template
   * @param quotaRemain the app's subscribe sends left today as WeChat last said, when known (shown for subscribe pushes)
   */
  public DryRun(UnifiedJedis redis, RedisKeys keys, PolicyStore policies, BiPredicate<String, String> longTerm, Clock clock,
      Function<String, Optional<Long>> quotaRemain) {
    this.claims = new ClaimPreview(redis, keys);
    this.index = new AudienceSample(redis, keys);
    this.policies = policies;
    this.longTerm = longTerm;
    this.clock = clock;
    this.quotaRemain = quotaRemain;
  }

  /** True when a push body asks for a dry run; {@code 400 invalid_push} when {@code dryRun} is not a boolean. */
  public static boolean asked(JsonNode body) {
    JsonNode flag = body.get("dryRun");
    if (flag == null || flag.isNull()) return false;
    if (!flag.isBoolean()) {
      throw ApiException.badRequest("invalid_push", "the push request has 1 problem(s)")
          .withDetail("fields", List.of(Map.of("field", "dryRun", "message", "must be true or false")));
    }
    return flag.asBoolean();
  }

  /**
   * The estimate, as {@code POST /v1/pushes} answers a dry run (200):
   * {@code {"targets","reachable","byKind","capped","reserved","quietUntil"?,"quotaRemain"?,"problems","exact","sampledUsers"?}}.
   *
   * @param problems the template check's field errors (a dry run answers them rather than 400)
   */
  public Map<String, Object> answer(PushRequest push, List<Map<String, String>> problems) {
    return StoreUnavailableException.around("estimating a push of " + push.appId(), () -> estimate(push).toJson(problems));
  }

  /** The counts of an estimate, scaled to the audience. */
  record Estimate(long targets, long reachable, Map<String, Long> byKind, long capped, long reserved, Long quietUntil, Long quotaRemain,
      boolean exact, long sampledUsers) {
    Map<String, Object> toJson(List<Map<String, String>> problems) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("targets", targets);
      m.put("reachable", reachable);
      m.put("byKind", byKind);
      m.put("capped", capped);
      m.put("reserved", reserved);
      if (quietUntil != null) m.put("quietUntil", quietUntil);
      if (quotaRemain != null) m.put("quotaRemain", quotaRemain);
      m.put("problems", problems);
      m.put("exact", exact);
      if (!exact) m.put("sampledUsers", sampledUsers);
      return m;
    }
  }

  Estimate estimate(PushRequest push) {
    Instant now = clock.instant();
    Policy policy = policies.get(push.appId());
    boolean standing = push.subscribe() && longTerm.test(push.appId(), push.templateId());
    String grants = push.subscribe() && !standing ? push.templateId() : null;
    boolean capped = policy.maxPerUserPerDay() != null;
    ClaimPreview.Spend spend = new ClaimPreview.Spend(grants, standing ? push.templateId() : null,
        capped && !push.critical() ? policy.maxPerUserPerDay() : 0, capped ? policy.dayEndEpochSecond(now) : 0,
        policy.reserveLast() && push.low() && !standing, Math.ceilDiv(now.toEpochMilli() + CredentialPool.CLAIM_MARGIN.toMillis(), 1000),
        now.getEpochSecond());
    Tally tally;
    if (push.audience().everyone()) {
      // as the fan-out reads it: a one-time template's grant index, else the form_id/prepay_id index
      // (a long-term template's holders are picked out of it by their permission)
      Sample sample = index.read(push.appId(), grants, "+inf", SAMPLE_USERS);
      tally = new Tally(sample, standing ? c -> c.standing() : c -> true);
      tally.judge(claims.preview(push.appId(), sample.users(), spend));
      if (!standing) tally.targetsExactly(sample.total());
    } else if (push.audience().expiring()) {
      long expiresBy = (now.toEpochMilli() + push.audience().expiringWindow().toMillis()) / 1000;
      Sample sample = index.read(push.appId(), null, Long.toString(expiresBy), SAMPLE_USERS);
      // the index holds a lower bound of each user's soonest expiry: the pool says who is in the window
      tally = new Tally(sample, c -> c.soonestExpirySec() > 0 && c.soonestExpirySec() <= expiresBy);
      tally.judge(claims.preview(push.appId(), sample.users(), spend));
    } else {
      List<String> listed = push.audience().openIds();
      tally = new Tally(new Sample(listed.size(), listed, true), c -> true);
      tally.judge(claims.preview(push.appId(), listed, spend));
    }
    Long quiet = push.critical() || (push.notAfter() != null && now.toEpochMilli() > push.notAfter()) ? null
        : policy.quietUntil(now).map(Instant::toEpochMilli).orElse(null);
    // WeChat's quota/get is read for the subscribe send: a template message's quota is not known
    Long quota = push.subscribe() ? quotaRemain.apply(push.appId()).orElse(null) : null;
    return tally.estimate(quiet, quota);
  }

  /** The verdicts of the users judged, and the factor that scales them to the whole audience. */
  private static final class Tally {
    private final Sample sample;
    private final Predicate<UserClaim> inAudience;
    private long targets;
    private Long exactTargets;
    private long capped;
    private long reserved;
    private final Map<String, Long> byKind = new TreeMap<>();

    Tally(Sample sample, Predicate<UserClaim> inAudience) {
      this.sample = sample;
      this.inAudience = inAudience;
    }

    void judge(List<UserClaim> judged) {
      for (UserClaim c : judged) {
        if (!inAudience.test(c)) continue;
        targets++;
        switch (c.verdict()) {
          case CLAIM -> byKind.merge(c.kind(), 1L, Long::sum);
          case CAPPED -> capped++;
          case RESERVED -> reserved++;
          case NONE -> { }
        }
      }
    }

    /** Every user of the index is a target: the index's own count, not the sample's scaled. */
    void targetsExactly(long n) {
      exactTargets = n;
    }

    Estimate estimate(Long quietUntil, Long quotaRemain) {
      int read = sample.users().size();
      double scale = sample.whole() || read == 0 ? 1.0 : sample.total() / (double) read;
      Map<String, Long> kinds = new TreeMap<>();
      byKind.forEach((k, n) -> kinds.put(k, Math.round(n * scale)));
      long reachable = kinds.values().stream().mapToLong(Long::longValue).sum();
      long allTargets = exactTargets != null ? exactTargets : Math.round(targets * scale);
      return new Estimate(allTargets, reachable, kinds, Math.round(capped * scale), Math.round(reserved * scale), quietUntil, quotaRemain,
          sample.whole(), read);
    }
  }
}
