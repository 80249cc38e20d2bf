package io.wxpush.worker.credentials;

import io.wxpush.credentials.CredentialPool;
import io.wxpush.push.Outcome;
import io.wxpush.push.PushId;
import io.wxpush.push.PushRun;
import io.wxpush.push.PushStatusStore;
import io.wxpush.redis.RedisKeys;
import io.wxpush.redis.RedisScript;
import io.wxpush.user.UserRef;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.resps.Tuple;

/**
 * Settles a send in doubt by WeChat's own word (RELIABILITY.md, "Sent events settle doubt"): a
 * {@code subscribe_msg_sent_event} for (user, template) whose MsgID wxpush never learned turns the
 * oldest of that user's {@code unknown} sends of that template {@code sent} (ErrorCode 0) or
 * {@code failed} with reason {@code async_<code>}, in the send ledger (one script in the user's
 * slot, {@code sent-event-settle.lua}, once per MsgID) and then in its push's counters (the
 * existing unknown → sent upgrade of {@link PushStatusStore#recordOutcome}, or
 * {@code push-unknown-failed.lua}; both change a user once, so a repeat, which the ledger script
 * answers with what it settled the first time, re-applies them harmlessly). Thread-safe; blocking.
 */
final class DoubtSettler {
  private static final long LEDGER_BASE = 1L << 32;
  /** An attempt whose lease ran out this long ago no longer counts as in flight (its owner died: the sender settles it unknown). */
  private static final Duration LEASE_SLACK = Duration.ofSeconds(30);
  private static final RedisScript SETTLE = RedisScript.load(CredentialPool.class, "ledger-lib.lua", DoubtSettler.class,
      "sent-event-settle.lua");
  private static final RedisScript FAILED = RedisScript.load(DoubtSettler.class, "push-unknown-failed.lua");

  /** What one event did. */
  enum Effect {
    /** An unknown send became sent or failed now (or a repeat re-applied the counters of one that did). */
    SETTLED,
    /** A repeat of an event that settled a send already. */
    REPEAT,
    /** A send of this template is still in flight for the user: too early to tell which send the event is about. */
    IN_FLIGHT,
    /** No unknown send of this template for the user. */
    NONE
  }

  /** The effect, and the push whose send it settled (empty unless {@link Effect#SETTLED} or {@link Effect#REPEAT}). */
  record Result(Effect effect, Optional<String> requestId) {}

  private final UnifiedJedis redis;
  private final RedisKeys keys;
  private final PushRuns runs;
  private final PushStatusStore status;
  private final Duration grace;
  private final Clock clock;

  /** @param grace {@code LEDGER_GRACE}: how long a user's outcome in a push is remembered */
  DoubtSettler(UnifiedJedis redis, RedisKeys keys, PushRuns runs, PushStatusStore status, Duration grace, Clock clock) {
    this.clock = clock;
    this.redis = redis;
    this.keys = keys;
    this.runs = runs;
    this.status = status;
    this.grace = grace;
  }

  /**
   * Applies a sent event of {@code user} for {@code templateId} with {@code msgid} (one wxpush never
   * learned from an answer) and {@code errorCode}.
   *
   * @param waitForInFlight true to answer {@link Effect#IN_FLIGHT} while a send of the template is
   *     in flight for the user (attempting under a live lease, or claimed in doubt): the event may be
   *     that send's, whose answer or doubt is not recorded yet; false to settle regardless
   */
  Result settle(UserRef user, String templateId, long msgid, int errorCode, boolean waitForInFlight) {
    if (waitForInFlight && inFlight(user, templateId)) return new Result(Effect.IN_FLIGHT, Optional.empty());
    List<String> candidates = new ArrayList<>();
    for (String pid : unknowns(keys.grants(user, templateId))) candidates.add("g:" + pid);
    for (String pid : unknowns(keys.templatePool(user))) {
      if (runs.of(user.appId(), pid).filter(r -> r.templateId().equals(templateId)).isPresent()) candidates.add("t:" + pid);
    }
    candidates.sort((a, b) -> PushRuns.OLDEST_FIRST.compare(a.substring(2), b.substring(2)));
    String state = errorCode == 0 ? "s" : "f";
    String reason = "async_" + errorCode;
    List<String> args = new ArrayList<>(List.of(Long.toString(msgid), state, reason));
    args.addAll(candidates);
    @SuppressWarnings("unchecked")
    List<Object> r = (List<Object>) SETTLE.eval(redis, List.of(keys.templatePool(user), keys.grants(user, templateId), keys.ledger(user)), args);
    String found = (String) r.get(0);
    if (found.equals("none")) return new Result(Effect.NONE, Optional.empty());
    String pid = (String) r.get(1);
    Optional<PushRuns.Run> run = runs.of(user.appId(), pid);
    if (run.isPresent()) counters(user, pid, run.get(), (String) r.get(2), reason);
    return new Result(found.equals("settled") ? Effect.SETTLED : Effect.REPEAT, run.map(PushRuns.Run::requestId));
  }

  /** True when a send of {@code templateId} is in flight for the user (ledger-lib.lua: 'state doubt attempts owner lease …'). */
  private boolean inFlight(UserRef user, String templateId) {
    long now = clock.millis();
    for (var e : redis.hgetAll(keys.ledger(user)).entrySet()) {
      String[] f = e.getValue().split(" ");
      boolean live = f.length > 4 && (f[0].equals("a") && Long.parseLong(f[4]) > now - LEASE_SLACK.toMillis()
          || f[0].equals("c") && f[1].equals("1"));
      if (live && runs.of(user.appId(), e.getKey()).filter(r -> r.templateId().equals(templateId)).isPresent()) return true;
    }
    return false;
  }

  /** The push ids whose final entry in {@code pool} is 'unknown'. */
  private List<String> unknowns(String pool) {
    List<String> out = new ArrayList<>();
    for (Tuple t : redis.zrangeByScoreWithScores(pool, Double.NEGATIVE_INFINITY, -(LEDGER_BASE + 1))) {
      long packed = (long) -t.getScore() - LEDGER_BASE;
      if (packed % 8 != 3) continue;
      String m = t.getElement();
      int sp = m.indexOf(' ');
      out.add(sp < 0 ? m.substring(1) : m.substring(1, sp));
    }
    return out;
  }

  /** The push's counters, as the ledger now says: the user's unknown becomes sent or failed, once. */
  private void counters(UserRef user, String pid, PushRuns.Run run, String state, String reason) {
    PushId id = new PushId(user.appId(), run.requestId());
    if (state.equals("s")) {
      status.recordOutcome(id, new PushRun(pid, run.untilMs(), run.buckets()), user.openId(), Outcome.SENT, null, grace);
    } else {
      FAILED.eval(redis, List.of(keys.pushStatus(user.appId(), run.requestId()), keys.pushReasons(user.appId(), run.requestId()),
          keys.pushOutcomes(user.appId(), run.requestId(), RedisKeys.bucketOf(user.openId(), run.buckets()))),
          List.of(RedisKeys.outcomeField(user.openId()), reason));
    }
  }
}
