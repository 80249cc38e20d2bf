package io.wxpush.ingest.push;

import io.wxpush.credentials.CredentialPool;
import io.wxpush.credentials.PoolMember;
import io.wxpush.redis.RedisConnections;
import io.wxpush.redis.RedisKeys;
import io.wxpush.redis.RedisScript;
import io.wxpush.user.UserRef;
import java.util.ArrayList;
import java.util.List;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.UnifiedJedis;

/**
 * What the first claim of a push would do for each of a page of users now, read without changing
 * anything ({@code dry-claim.lua}, the read-only twin of the claim's policy rules in ledger-lib.lua):
 * spend a credential (of which kind), or skip the user as {@code none}, {@code capped} or
 * {@code reserved}. One pipelined script call per user. Thread-safe; blocks on Redis.
 */
final class ClaimPreview {
  private static final RedisScript DRY_CLAIM = RedisScript.load(CredentialPool.class, "ledger-lib.lua", ClaimPreview.class, "dry-claim.lua");

  /** Script calls per pipeline. */
  private static final int PER_PIPELINE = 1_000;

  /** What the claim would do for one user. */
  enum Verdict { CLAIM, NONE, CAPPED, RESERVED }

  /**
   * @param kind the wire name of the credential kind a claim would spend ({@code form_id}, {@code prepay_id},
   *     {@code subscription}); null unless {@link Verdict#CLAIM}
   * @param soonestExpirySec the user's soonest live form_id/prepay_id expiry after now, epoch s (0: none): the recall's test
   * @param standing the user holds the long-term template's permission itself (what an everyone-push of it picks out)
   */
  record UserClaim(Verdict verdict, String kind, long soonestExpirySec, boolean standing) {}

  /**
   * How the push would spend: its pool ({@code grantsOf}: a one-time template's grants; null: the
   * form_id/prepay_id pool), a long-term template's permission ({@code standingOf}), and the policy's part.
   *
   * @param cap most messages per user today (0: none)
   * @param dayEndSec the end of the user's day for the cap, epoch s
   * @param reserve a user's last live entry is kept (a low push under reserveLast)
   * @param earliestExpirySec a form_id/prepay_id expiring before this is not claimed (now plus the claim's margin)
   * @param nowSec now, epoch s
   */
  record Spend(String grantsOf, String standingOf, int cap, long dayEndSec, boolean reserve, long earliestExpirySec, long nowSec) {}

  private final UnifiedJedis redis;
  private final RedisKeys keys;

  ClaimPreview(UnifiedJedis redis, RedisKeys keys) {
    this.redis = redis;
    this.keys = keys;
  }

  /** The claim's verdict for each of {@code openIds} (users of {@code appId}), in their order. */
  List<UserClaim> preview(String appId, List<String> openIds, Spend spend) {
    List<UserClaim> out = new ArrayList<>(openIds.size());
    for (int from = 0; from < openIds.size(); from += PER_PIPELINE) {
      out.addAll(page(appId, openIds.subList(from, Math.min(openIds.size(), from + PER_PIPELINE)), spend));
    }
    return out;
  }

  private List<UserClaim> page(String appId, List<String> openIds, Spend spend) {
    List<String> args = List.of(spend.standingOf() != null ? PoolMember.standing(spend.standingOf()) : spend.grantsOf() != null ? "grant" : "timed",
        Long.toString(spend.earliestExpirySec()), Integer.toString(spend.cap()), Long.toString(spend.dayEndSec()), spend.reserve() ? "1" : "0",
        Long.toString(spend.nowSec()));
    // by SHA first; a node that does not know the script answers NOSCRIPT: then the page again with the source
    for (boolean withSource : new boolean[] {false, true}) {
      List<Response<Object>> replies = new ArrayList<>(openIds.size());
      try (AbstractPipeline pipeline = RedisConnections.pipelined(redis)) {
        for (String openId : openIds) replies.add(DRY_CLAIM.queue(pipeline, keysOf(new UserRef(appId, openId), spend), args, withSource));
        pipeline.sync();
      }
      try {
        List<UserClaim> claims = new ArrayList<>(openIds.size());
        for (Response<Object> r : replies) claims.add(parse((List<?>) r.get()));
        return claims;
      } catch (RuntimeException e) {
        if (withSource || !RedisScript.isNoScript(e)) throw e;
      }
    }
    throw new IllegalStateException("unreachable");
  }

  private List<String> keysOf(UserRef user, Spend spend) {
    String timed = keys.templatePool(user);
    if (spend.standingOf() != null) return List.of(timed, keys.ledger(user), timed, keys.grants(user, spend.standingOf()));
    return List.of(spend.grantsOf() != null ? keys.grants(user, spend.grantsOf()) : timed, keys.ledger(user), timed);
  }

  private static UserClaim parse(List<?> reply) {
    Verdict verdict = Verdict.valueOf(reply.get(0).toString().toUpperCase(java.util.Locale.ROOT));
    String member = reply.get(1).toString();
    String kind = verdict == Verdict.CLAIM ? PoolMember.kindOf(member).wire() : null;
    boolean standing = reply.size() > 3 && ((Long) reply.get(3)) == 1L;
    return new UserClaim(verdict, kind, (Long) reply.get(2), standing);
  }
}
