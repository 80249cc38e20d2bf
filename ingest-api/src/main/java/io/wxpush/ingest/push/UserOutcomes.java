package io.wxpush.ingest.push;

import io.wxpush.credentials.CredentialKind;
import io.wxpush.credentials.CredentialPool;
import io.wxpush.credentials.PoolMember;
import io.wxpush.push.PushId;
import io.wxpush.push.PushState;
import io.wxpush.redis.RedisKeys;
import io.wxpush.redis.RedisScript;
import io.wxpush.redis.StoreUnavailableException;
import io.wxpush.user.UserRef;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiPredicate;
import redis.clients.jedis.UnifiedJedis;

/**
 * Where one user stands in one push ({@code GET /v1/pushes/{requestId}/users/{openId}}), read from
 * the send ledger while it keeps the push's entries ({@code LEDGER_GRACE} after each is written):
 * the user's entry of the push's newest run that has one (in flight: {@code pending}; final: its
 * state, reason and when), else the push's per-user outcome (kept as long; it also keeps WeChat's
 * msgid of a sent message), else what the push's own state says. Reads only. Thread-safe; blocks on Redis.
 */
final class UserOutcomes {
  private static final RedisScript READ = RedisScript.load(CredentialPool.class, "ledger-lib.lua", UserOutcomes.class, "user-outcome.lua");

  /** Where the user stands. */
  sealed interface Answer {}

  /** @param json {@code {"state","reason"?,"kind"?,"msgid"?,"at"?}} */
  record Known(Map<String, Object> json) implements Answer {}

  /** No entry, and the push is final while nothing of it can have expired yet: the user was not in its audience. */
  record NotInPush() implements Answer {}

  /** No entry, and the push's entries may have expired: the ledger no longer tells (or the user was never in it). */
  record Gone() implements Answer {}

  private final UnifiedJedis redis;
  private final RedisKeys keys;
  private final BiPredicate<String, String> longTerm;

  /** @param longTerm whether (appId, templateId) is a long-term template (its pushes' entries are in the form_id/prepay_id pool) */
  UserOutcomes(UnifiedJedis redis, RedisKeys keys, BiPredicate<String, String> longTerm) {
    this.redis = redis;
    this.keys = keys;
    this.longTerm = longTerm;
  }

  /** Where {@code openId} stands in push {@code id}, whose status exists. */
  Answer of(PushId id, String openId) {
    return StoreUnavailableException.around("reading push " + id, () -> read(id, openId));
  }

  private Answer read(PushId id, String openId) {
    UserRef user = new UserRef(id.appId(), openId);
    // the run stamp (PushRun: short id, horizon, outcome buckets), its start, its retry rounds and what it spends
    List<String> s = redis.hmget(keys.pushStatus(id.appId(), id.requestId()), "state", "reason", "run", "until", "startedAt", "retries",
        "buckets", "kind", "templateId");
    String state = s.get(0);
    String run = s.get(2);
    boolean finalState = state != null && PushState.isFinal(state);
    if (run == null || s.get(3) == null) { // never started: cancelled or failed as a whole, else still to come
      if (PushState.CANCELLED.wire().equals(state)) return known("cancelled", null, null, null);
      if (PushState.FAILED.wire().equals(state)) return known("failed", s.get(1), null, null);
      return known("pending", null, null, null);
    }
    long until = Long.parseLong(s.get(3));
    long grace = s.get(4) == null ? 0 : until - Long.parseLong(s.get(4)); // the horizon is the start plus LEDGER_GRACE
    boolean subscribe = "subscribe".equals(s.get(7));
    String template = s.get(8);
    String pool = subscribe && template != null && !longTerm.test(id.appId(), template) ? keys.grants(user, template) : keys.templatePool(user);
    List<String> runs = new ArrayList<>();
    int rounds = s.get(5) == null ? 0 : Integer.parseInt(s.get(5));
    for (int r = rounds; r >= 1; r--) runs.add(run + "." + r);
    runs.add(run);
    List<?> found = (List<?>) READ.eval(redis, List.of(pool, keys.ledger(user)), runs);
    long now = (Long) found.get(0);
    String entry = found.get(1).toString();
    // the push's record of the user's outcome: 's:<msgid>' keeps WeChat's msgid of a sent message
    String code = s.get(6) == null ? null
        : redis.hget(keys.pushOutcomes(id.appId(), id.requestId(), RedisKeys.bucketOf(openId, Integer.parseInt(s.get(6)))),
            RedisKeys.outcomeField(openId));
    Long msgid = code != null && code.startsWith("s:") ? Long.valueOf(code.substring(2)) : null;
    if (!entry.isEmpty()) {
      String[] f = entry.split(" ", 8);
      long keepUntil = Long.parseLong(f[5]);
      if (keepUntil >= now) return withMsgid(fromEntry(f, keepUntil - grace, subscribe), msgid);
    }
    if (code != null) return withMsgid(fromOutcome(code), msgid);
    if (!finalState) return known("pending", null, null, null);
    return now <= until ? new NotInPush() : new Gone();
  }

  /** From a ledger entry's string form (ledger-lib.lua): {@code state doubt attempts owner-or-reason leaseUntil keepUntil score member}. */
  private static Known fromEntry(String[] f, long at, boolean subscribe) {
    String reason = f[3].equals("-") ? null : f[3];
    return switch (f[0]) {
      case "c", "a" -> known("pending", null, f[7].equals("-") ? null : PoolMember.kindOf(f[7]).wire(), null);
      case "s" -> known("sent", reason, subscribe ? CredentialKind.SUBSCRIPTION.wire() : null, at);
      case "u" -> known("unknown", reason, subscribe ? CredentialKind.SUBSCRIPTION.wire() : null, at);
      case "n" -> known("noCredential", reason, null, at);
      // a send given up because the push was cancelled is a failed entry with that reason (TaskRunner.CANCELLED)
      default -> "cancelled".equals(reason) ? known("cancelled", null, null, at) : known("failed", reason, null, at);
    };
  }

  /** From the push's per-user outcome code ({@code push-outcome.lua}: s, n, f, c, u or u:reason). */
  private static Known fromOutcome(String code) {
    return switch (code.charAt(0)) {
      case 's' -> known("sent", null, null, null);
      case 'n' -> known("noCredential", null, null, null);
      case 'c' -> known("cancelled", null, null, null);
      case 'u' -> known("unknown", code.length() > 2 ? code.substring(2) : null, null, null);
      default -> known("failed", null, null, null);
    };
  }

  /** The answer with WeChat's msgid of a sent message, when the push's record keeps one. */
  private static Known withMsgid(Known k, Long msgid) {
    if (msgid == null || !"sent".equals(k.json().get("state"))) return k;
    Map<String, Object> m = new LinkedHashMap<>(k.json());
    m.put("msgid", msgid);
    if (m.containsKey("at")) m.put("at", m.remove("at")); // the contract's order: state, reason, kind, msgid, at
    return new Known(m);
  }

  private static Known known(String state, String reason, String kind, Long at) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("state", state);
    if (reason != null) m.put("reason", reason);
    if (kind != null) m.put("kind", kind);
    if (at != null) m.put("at", at);
    return new Known(m);
  }
}
