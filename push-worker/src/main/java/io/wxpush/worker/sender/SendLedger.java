package io.wxpush.worker.sender;

import io.wxpush.credentials.CredentialPool;
import io.wxpush.credentials.PoolMember;
import io.wxpush.push.PushRun;
import io.wxpush.redis.RedisKeys;
import io.wxpush.redis.RedisBatcher;
import io.wxpush.redis.RedisScript;
import io.wxpush.user.UserRef;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.BiPredicate;
import redis.clients.jedis.UnifiedJedis;

/**
 * The send ledger (RELIABILITY.md, "The send ledger"): per (push, user), in the user's own hash slot, which
 * credential the push spends and where its send stands (in flight in the user's ledger hash; once
 * final, a few bytes in the pool it spent from, until {@code LEDGER_GRACE} has passed) — {@code claimed → attempting(owner,
 * lease) → sent | failed | unknown}. Each transition is one Lua script, fenced by the owner id of
 * the delivery that holds the attempt and timed by Redis's own clock, so worker clock skew cannot
 * break a lease. Claiming pops the credential from the pool in the same script, so a credential is
 * never handed to two pushes. Thread-safe; every method blocks on Redis.
 */
public final class SendLedger {
  /** How long a spent grant is remembered, so a redelivered upload cannot bring it back. */
  private static final Duration SPENT_GRANT_MEMORY = Duration.ofDays(30);

  private static final String LIBRARY = "ledger-lib.lua";
  private static final RedisScript CLAIM = RedisScript.load(CredentialPool.class, LIBRARY, SendLedger.class, "ledger-claim.lua");
  private static final RedisScript ATTEMPT = RedisScript.load(CredentialPool.class, LIBRARY, SendLedger.class, "ledger-attempt.lua");
  private static final RedisScript SETTLE = RedisScript.load(CredentialPool.class, LIBRARY, SendLedger.class, "ledger-settle.lua");
  private static final RedisScript NEXT = RedisScript.load(CredentialPool.class, LIBRARY, SendLedger.class, "ledger-next.lua");
  private static final RedisScript RELEASE = RedisScript.load(CredentialPool.class, LIBRARY, SendLedger.class, "ledger-release.lua");
  private static final RedisScript READ = RedisScript.load(CredentialPool.class, LIBRARY, SendLedger.class, "ledger-read.lua");

  /** What a transition found or did. */
  public enum Status {
    /** claim: the push already had an entry for this user (returned as it stands). */
    EXISTING,
    /** claim / next: a credential was claimed. */
    CLAIMED,
    /** claim / next / attempt with claiming: the pool held nothing live; the entry is final {@code NO_CREDENTIAL}. */
    NONE,
    /** attempt: this owner now holds the attempt (of a credential it may have just claimed). */
    ATTEMPTING,
    /** attempt: another owner's attempt is in flight under a live lease. */
    BUSY,
    /** attempt: in doubt and not a form_id: never resent; record it unknown. */
    REFUSED,
    /** settle / release: done. */
    OK,
    /** the entry is held by another owner, or its state does not allow this step. */
    FENCED,
    /** the entry already had its outcome. */
    FINAL,
    /** there is no entry. */
    MISSING,
    /** claim / attempt: no entry, and the push's horizon has passed: nothing was claimed. */
    EXPIRED
  }

  /** The outcome of a step that ends an attempt ({@link #settle}). */
  public enum Settle {
    /** WeChat accepted the message: recorded first, from any owner. */
    SENT("sent"),
    /** Surely not delivered: back to claimed, to be tried again. */
    RETRY("retry"),
    /** The answer was lost: back to claimed, in doubt for good. */
    DOUBT("doubt"),
    FAILED("failed"),
    UNKNOWN("unknown");

    private final String wire;

    Settle(String wire) {
      this.wire = wire;
    }
  }

  /**
   * @param entry the entry after the step (or as found); null when {@link Status#MISSING}
   * @param leaseLeft for {@link Status#BUSY}: how long the other owner's lease still runs
   * @param returnedToPool for {@link #release}: the credential is back in the pool
   * @param claimedNow this step claimed the entry's credential from the pool
   */
  public record Result(Status status, LedgerEntry entry, Duration leaseLeft, boolean returnedToPool, boolean claimedNow) {}

  /**
   * What the app's policy says about one push's claim for one user: the frequency cap (0: none), the
   * end of the user's day for it (epoch seconds; 0: messages are not counted, the app has no cap),
   * and whether the user's last credential is reserved (a {@code low} push under {@code reserveLast}).
   * A {@code critical} push has no cap and no reserve, but its messages count.
   */
  public record Spend(int cap, long dayEndEpochSecond, boolean reserve) {
    /** No policy: nothing checked, nothing counted. */
    public static final Spend NONE = new Spend(0, 0, false);

    List<String> args() {
      return List.of(Integer.toString(cap), Long.toString(dayEndEpochSecond), reserve ? "1" : "0");
    }
  }

  private final UnifiedJedis redis;
  private final RedisBatcher batcher;
  private final RedisKeys keys;
  private final Clock clock;
  private final Duration expiryMargin;
  private final Duration grace;
  private final BiPredicate<String, String> longTerm;

  /**
   * @param batcher pipelines the calls of many sends together; null for direct calls
   * @param expiryMargin a form_id expiring sooner than this is not claimed (it could expire in flight)
   * @param grace {@code LEDGER_GRACE}: how long an entry is kept once written, and never less than
   *     its push's horizon ({@link PushRun#untilMs()})
   */
  public SendLedger(UnifiedJedis redis, RedisBatcher batcher, RedisKeys keys, Clock clock, Duration expiryMargin, Duration grace) {
    this(redis, batcher, keys, clock, expiryMargin, grace, (appId, templateId) -> false);
  }

  /**
   * As above; {@code longTerm} says which (appId, templateId) are long-term templates: a push of one
   * uses the user's standing permission (in the form_id/prepay_id pool, ledger-lib.lua) and never
   * spends it; WeChat's 43101 ends it.
   */
  public SendLedger(UnifiedJedis redis, RedisBatcher batcher, RedisKeys keys, Clock clock, Duration expiryMargin, Duration grace,
      BiPredicate<String, String> longTerm) {
    this.longTerm = longTerm;
    this.redis = redis;
    this.batcher = batcher;
    this.keys = keys;
    this.clock = clock;
    this.expiryMargin = expiryMargin;
    this.grace = grace;
  }

  /**
   * Claims a credential of {@code user} for push {@code run}, or returns the push's entry for this
   * user when it has one ({@link Status#EXISTING}); past the push's horizon with no entry, nothing
   * ({@link Status#EXPIRED}).
   *
   * @param subscribeTemplateId the template whose grants to spend; null for the form_id/prepay_id pool
   */
  public Result claim(UserRef user, PushRun run, String subscribeTemplateId) {
    return claim(user, run, subscribeTemplateId, Spend.NONE);
  }

  /**
   * As {@link #claim(UserRef, PushRun, String)}, as the app's policy allows ({@code spend}): a user
   * it skips is {@link Status#NONE} with reason {@code capped} or {@code reserved}, nothing spent.
   */
  public Result claim(UserRef user, PushRun run, String subscribeTemplateId, Spend spend) {
    long now = clock.millis();
    List<String> args = new ArrayList<>(List.of(run.id(), mode(user, subscribeTemplateId), Long.toString(now),
        Long.toString(now + expiryMargin.toMillis()), ms(grace), Long.toString(run.untilMs()), ms(SPENT_GRANT_MEMORY)));
    args.addAll(spend.args());
    return result(eval(CLAIM, spendKeys(user, subscribeTemplateId), args));
  }

  /**
   * Marks that {@code owner} is about to call WeChat for this entry, holding it for {@code lease}.
   * With no entry yet it claims a credential first, in the same step ({@link Status#ATTEMPTING},
   * or {@link Status#NONE} from an empty pool; {@link Status#EXPIRED} past the push's horizon):
   * the first try of a task costs one script, not two.
   *
   * @param subscribeTemplateId the template whose grants to claim from; null for the form_id/prepay_id pool
   * @param ownMarkUncalled true when {@code owner}'s own earlier mark (whose reply was lost) is
   *     known to have had no call: it does not put the send in doubt
   */
  public Result attempt(UserRef user, PushRun run, String subscribeTemplateId, String owner, Duration lease, boolean ownMarkUncalled) {
    return attempt(user, run, subscribeTemplateId, owner, lease, ownMarkUncalled, Spend.NONE);
  }

  /** As above; a claim it makes is as the app's policy allows ({@code spend}, see {@link #claim(UserRef, PushRun, String, Spend)}). */
  public Result attempt(UserRef user, PushRun run, String subscribeTemplateId, String owner, Duration lease, boolean ownMarkUncalled,
      Spend spend) {
    long now = clock.millis();
    List<String> args = new ArrayList<>(List.of(run.id(), owner, ms(lease), ownMarkUncalled ? "1" : "0", mode(user, subscribeTemplateId),
        Long.toString(now), Long.toString(now + expiryMargin.toMillis()), ms(grace), Long.toString(run.untilMs()), ms(SPENT_GRANT_MEMORY)));
    args.addAll(spend.args());
    return result(eval(ATTEMPT, spendKeys(user, subscribeTemplateId), args));
  }

  /**
   * Records what an attempt's answer did (see {@link Settle}); {@code reason} goes with a final
   * entry. {@link Settle#FAILED} for a (push, user) with no entry writes a final one.
   */
  public Result settle(UserRef user, PushRun run, String subscribeTemplateId, String owner, Settle step, String reason) {
    return settle(user, run, subscribeTemplateId, owner, step, reason, Spend.NONE);
  }

  /** As above; a final {@link Settle#SENT} or {@link Settle#UNKNOWN} counts one message of the user's day when {@code spend} counts. */
  public Result settle(UserRef user, PushRun run, String subscribeTemplateId, String owner, Settle step, String reason, Spend spend) {
    List<String> args = new ArrayList<>(List.of(run.id(), owner, step.wire, reasonArg(reason), ms(grace), Long.toString(run.untilMs()),
        Long.toString(spend.dayEndEpochSecond()), Long.toString(clock.millis())));
    // WeChat's 43101 to a long-term send: the user turned the template off, the permission ends
    if (step == Settle.FAILED && REVOKED.equals(reason) && standing(user, subscribeTemplateId)) {
      args.add(Long.toString((clock.millis() + CredentialPool.DROPPED_GRANT_MEMORY.toMillis()) / 1000));
    }
    return result(eval(SETTLE, spendKeys(user, subscribeTemplateId), args));
  }

  /** Leaves the credential WeChat refused (41028) spent and claims the next for the same (push, user). */
  public Result next(UserRef user, PushRun run, String subscribeTemplateId, String owner, String reasonIfNone) {
    long now = clock.millis();
    return result(eval(NEXT, poolKeys(user, subscribeTemplateId),
        List.of(run.id(), owner, mode(user, subscribeTemplateId), Long.toString(now), Long.toString(now + expiryMargin.toMillis()),
            ms(SPENT_GRANT_MEMORY), reasonArg(reasonIfNone))));
  }

  /** Gives the entry's credential back (the send surely did not happen) and ends the entry as failed. */
  public Result release(UserRef user, PushRun run, String subscribeTemplateId, String owner, String reason) {
    return result(eval(RELEASE, poolKeys(user, subscribeTemplateId),
        List.of(run.id(), owner, mode(user, subscribeTemplateId), Long.toString(clock.millis()), reasonArg(reason))));
  }

  /** The push's entry for {@code user}, in flight or final, if any. */
  public Optional<LedgerEntry> read(UserRef user, PushRun run, String subscribeTemplateId) {
    String stored = (String) eval(READ, poolKeys(user, subscribeTemplateId), List.of(run.id()));
    return stored.isEmpty() ? Optional.empty() : Optional.of(LedgerEntry.parse(stored));
  }

  /** WeChat's errcode that ends a long-term template's permission (the user turned it off). */
  private static final String REVOKED = "43101";

  private boolean standing(UserRef user, String subscribeTemplateId) {
    return subscribeTemplateId != null && longTerm.test(user.appId(), subscribeTemplateId);
  }

  /**
   * The keys every ledger script takes: the pool the push spends from (a long-term template's
   * permission lives in the form_id/prepay_id pool), then the user's ledger hash.
   */
  private List<String> poolKeys(UserRef user, String subscribeTemplateId) {
    return List.of(keys.poolFor(user, standing(user, subscribeTemplateId) ? null : subscribeTemplateId), keys.ledger(user));
  }

  /**
   * {@link #poolKeys}, then the user's form_id/prepay_id pool, which holds the day's message counter
   * (ledger-lib.lua); for a long-term template also its grants pool (grants stored before the
   * template was known to be long-term become the permission).
   */
  private List<String> spendKeys(UserRef user, String subscribeTemplateId) {
    if (standing(user, subscribeTemplateId)) {
      return List.of(keys.templatePool(user), keys.ledger(user), keys.templatePool(user), keys.grants(user, subscribeTemplateId));
    }
    return List.of(keys.poolFor(user, subscribeTemplateId), keys.ledger(user), keys.templatePool(user));
  }

  /** The claiming scripts' mode: 'timed', 'grant', or a long-term template's permission member. */
  private String mode(UserRef user, String subscribeTemplateId) {
    if (subscribeTemplateId == null) return "timed";
    return standing(user, subscribeTemplateId) ? PoolMember.standing(subscribeTemplateId) : "grant";
  }

  private static String reasonArg(String reason) {
    if (reason == null || reason.isEmpty()) return "-";
    return reason.indexOf(' ') < 0 ? reason : reason.replace(' ', '_');
  }

  private static String ms(Duration d) {
    return Long.toString(d.toMillis());
  }

  private Object eval(RedisScript script, List<String> keys, List<String> args) {
    return batcher != null ? batcher.eval(script, keys, args) : script.eval(redis, keys, args);
  }

  @SuppressWarnings("unchecked")
  private static Result result(Object reply) {
    List<Object> r = (List<Object>) reply;
    Status status = Status.valueOf(((String) r.get(0)).toUpperCase(Locale.ROOT));
    String stored = (String) r.get(1);
    LedgerEntry entry = stored.isEmpty() ? null : LedgerEntry.parse(stored);
    Duration leaseLeft = status == Status.BUSY ? Duration.ofMillis((Long) r.get(2)) : Duration.ZERO;
    boolean flag = r.size() > 2 && r.get(2) instanceof Long n && n == 1L;
    boolean claimedNow = status == Status.CLAIMED || (status == Status.ATTEMPTING && flag);
    return new Result(status, entry, leaseLeft, status == Status.OK && flag, claimedNow);
  }
}
