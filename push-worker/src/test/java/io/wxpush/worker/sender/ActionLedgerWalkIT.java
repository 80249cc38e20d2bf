package io.wxpush.worker.sender;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.wxpush.redis.RedisEndpoint;
import io.wxpush.credentials.Credential;
import io.wxpush.credentials.CredentialKind;
import io.wxpush.credentials.CredentialPool;
import io.wxpush.worker.sender.LedgerEntry.State;
import io.wxpush.worker.sender.SendLedger.Settle;
import io.wxpush.user.UserRef;
import io.wxpush.push.PushRun;
import io.wxpush.redis.RedisConnections;
import io.wxpush.redis.RedisKeys;
import io.wxpush.testkit.RealServices;
import io.wxpush.testkit.TestEnv;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.UnifiedJedis;

/**
 * Every {@link Action} against every state a (push, user) ledger entry can be in when a delivery
 * performs it, on a real Redis: the entry ends as the action's one {@link Action.Effect} says —
 * final, claimed (never left in flight under this delivery), or given back (the credential back in
 * the pool) — and {@code failed} is never written for an entry in doubt.
 */
@ExtendWith(RealServices.class)
class ActionLedgerWalkIT {
  private static final String APP = "wxapp1";
  private static final Duration LONG_LEASE = Duration.ofSeconds(30);
  private final Clock clock = Clock.systemUTC();
  private UnifiedJedis redis;
  private CredentialPool pool;
  private SendLedger ledger;
  private int users;

  /** Where the entry stands before the action. */
  enum Start {
    NONE, CLAIMED, CLAIMED_IN_DOUBT, OWN_ATTEMPT, OWN_ATTEMPT_IN_DOUBT, OTHERS_LIVE_ATTEMPT, OTHERS_LAPSED_ATTEMPT,
    SENT, FAILED, UNKNOWN, NO_CREDENTIAL;

    boolean inDoubt() {
      return this == CLAIMED_IN_DOUBT || this == OWN_ATTEMPT_IN_DOUBT || this == OTHERS_LAPSED_ATTEMPT;
    }

    boolean holding() {
      return this == OWN_ATTEMPT || this == OWN_ATTEMPT_IN_DOUBT;
    }

    Optional<State> finalState() {
      return switch (this) {
        case SENT -> Optional.of(State.SENT);
        case FAILED -> Optional.of(State.FAILED);
        case UNKNOWN -> Optional.of(State.UNKNOWN);
        case NO_CREDENTIAL -> Optional.of(State.NO_CREDENTIAL);
        default -> Optional.empty();
      };
    }
  }

  /** One of each action, in doubt and not where it carries the doubt. */
  static List<Action> everyAction() {
    List<Action> all = new ArrayList<>();
    for (boolean d : new boolean[] {false, true}) {
      all.add(new Action.RetrySame(1, false, d));
      all.add(new Action.FailPush("40037", d, false));
      all.add(new Action.Pause(Duration.ofSeconds(1), d));
      all.add(new Action.QuotaSpent(Duration.ofHours(1), d));
      all.add(new Action.DeadLetter("-1", d));
      all.add(new Action.HandBack(d));
      all.add(new Action.Stop(TaskRunner.CANCELLED, d));
    }
    all.add(new Action.Sent(null));
    all.add(new Action.NextCredential("41028"));
    all.add(new Action.Unknown("timeout"));
    all.add(new Action.FailUser("43101"));
    all.add(new Action.Hold(Instant.now().plusSeconds(3600)));
    all.add(new Action.Wait(Duration.ofSeconds(1)));
    all.add(new Action.Known());
    return all;
  }

  @BeforeEach
  void open(TestEnv env) {
    redis = RedisConnections.open(RedisEndpoint.parse(env.redisUrl()), 8);
    pool = new CredentialPool(redis, new RedisKeys(env.redisKeyPrefix()), clock, 200);
    ledger = new SendLedger(redis, null, pool.keys(), clock, Duration.ofSeconds(60), Duration.ofDays(1));
  }

  @AfterEach
  void close() {
    redis.close();
  }

  @Test
  void everyActionLeavesEveryEntryFinalClaimedOrGivenBackAndNeverFailedInDoubt() {
    List<Action> actions = everyAction();
    assertThat(actions.stream().map(a -> a.getClass()).distinct()).as("every kind of action is walked")
        .hasSize(Action.class.getPermittedSubclasses().length);
    SoftAssertions soft = new SoftAssertions();
    PushRun run = new PushRun("walk", System.currentTimeMillis() + 86_400_000L, 1);
    List<Prepared> lapsing = new ArrayList<>();
    for (Action action : actions) {
      for (Start start : Start.values()) {
        Prepared p = prepare(start, run);
        if (start == Start.OTHERS_LAPSED_ATTEMPT) lapsing.add(new Prepared(p.user, p.delivery, p.start, action));
        else check(soft, p.withAction(action), run);
      }
    }
    // the other owner's 50 ms leases have run out by now (Redis time)
    await().pollDelay(Duration.ofMillis(100)).atMost(Duration.ofSeconds(1)).until(() -> true);
    for (Prepared p : lapsing) check(soft, p, run);
    soft.assertAll();
  }

  @Test
  void aTaskHeldAtTheLastLookIsSentWithTheSameCredentialWhenReleasedAndStaysInDoubtOnlyIfItWas() {
    PushRun run = new PushRun("walk-held", System.currentTimeMillis() + 86_400_000L, 1);
    for (Start start : new Start[] {Start.OWN_ATTEMPT, Start.OWN_ATTEMPT_IN_DOUBT}) {
      Prepared p = prepare(start, run);
      LedgerEntry marked = ledger.read(p.user(), run, null).orElseThrow();
      p.delivery().callUnsettled(false); // held before the call: nothing went out
      new EntrySteps(ledger, p.user(), run, null, p.delivery(), SendLedger.Spend.NONE).apply(new Action.Hold(Instant.now().plusSeconds(60)), true);
      LedgerEntry held = ledger.read(p.user(), run, null).orElseThrow();
      assertThat(held.state()).as(start + ": the attempt goes back to claimed for the release").isEqualTo(State.CLAIMED);
      // the release's delivery (a new task record) marks it at once, as its own, the same credential
      Delivery release = new Delivery(System.nanoTime() + Duration.ofSeconds(30).toNanos(), 1);
      SendLedger.Result mark = ledger.attempt(p.user(), run, null, release.owner(), LONG_LEASE, true);
      assertThat(mark.status()).as(start.toString()).isEqualTo(SendLedger.Status.ATTEMPTING);
      assertThat(mark.entry().credential()).as(start + ": the same credential").isEqualTo(marked.credential());
      assertThat(mark.entry().inDoubt()).as(start + ": in doubt only if it was before the hold").isEqualTo(start.inDoubt());
    }
  }

  private record Prepared(UserRef user, Delivery delivery, Start start, Action action) {
    Prepared withAction(Action a) {
      return new Prepared(user, delivery, start, a);
    }
  }

  /** A fresh user with two form_ids, and the entry of {@code run} for them as {@code start} says. */
  private Prepared prepare(Start start, PushRun run) {
    String openId = "walk-" + (users++);
    long now = clock.millis();
    pool.addAll(List.of(Credential.of(APP, openId, CredentialKind.FORM_ID, "w1-" + openId, null, now - 2000),
        Credential.of(APP, openId, CredentialKind.FORM_ID, "w2-" + openId, null, now - 1000)));
    UserRef user = new UserRef(APP, openId);
    Delivery mine = new Delivery(System.nanoTime() + Duration.ofSeconds(30).toNanos(), 1);
    String me = mine.owner();
    switch (start) {
      case NONE -> { }
      case CLAIMED -> ledger.claim(user, run, null);
      case CLAIMED_IN_DOUBT -> {
        ledger.attempt(user, run, null, "earlier", LONG_LEASE, true);
        ledger.settle(user, run, null, "earlier", Settle.DOUBT, null);
      }
      case OWN_ATTEMPT -> ledger.attempt(user, run, null, me, LONG_LEASE, true);
      case OWN_ATTEMPT_IN_DOUBT -> {
        ledger.attempt(user, run, null, "earlier", LONG_LEASE, true);
        ledger.settle(user, run, null, "earlier", Settle.DOUBT, null);
        ledger.attempt(user, run, null, me, LONG_LEASE, true);
      }
      case OTHERS_LIVE_ATTEMPT -> ledger.attempt(user, run, null, "other", LONG_LEASE, true);
      case OTHERS_LAPSED_ATTEMPT -> ledger.attempt(user, run, null, "other", Duration.ofMillis(50), true);
      case SENT, FAILED, UNKNOWN -> {
        ledger.attempt(user, run, null, "earlier", LONG_LEASE, true);
        Settle s = start == Start.SENT ? Settle.SENT : start == Start.FAILED ? Settle.FAILED : Settle.UNKNOWN;
        ledger.settle(user, run, null, "earlier", s, "x");
      }
      case NO_CREDENTIAL -> ledger.claim(new UserRef(APP, openId), new PushRun("other-run", run.untilMs(), 1), null);
    }
    if (start == Start.NO_CREDENTIAL) { // both form_ids spent by other pushes: this push finds none
      ledger.claim(user, new PushRun("third-run", run.untilMs(), 1), null);
      ledger.claim(user, run, null);
    }
    if (start.holding()) mine.callUnsettled(true); // its call went out; the answer is the action's
    return new Prepared(user, mine, start, null);
  }

  private void check(SoftAssertions soft, Prepared p, PushRun run) {
    Action a = p.action();
    int poolBefore = pool.inspect(p.user()).formIds();
    Optional<LedgerEntry> before = ledger.read(p.user(), run, null);
    new EntrySteps(ledger, p.user(), run, null, p.delivery(), SendLedger.Spend.NONE).apply(a, p.start().holding());
    Optional<LedgerEntry> after = ledger.read(p.user(), run, null);
    int poolAfter = pool.inspect(p.user()).formIds();
    String pair = a + " on " + p.start();
    // an action's own doubt (a lost answer) is this delivery's: it marks an entry this delivery holds, or ends one
    boolean inDoubt = p.start().inDoubt() || (actionInDoubt(a) && (p.start().holding() || a.effect() == Action.Effect.GIVEN_BACK));

    // never in flight under this delivery, never failed in doubt
    soft.assertThat(after.flatMap(LedgerEntry::owner)).as(pair + ": not left attempting under this delivery").isNotEqualTo(Optional.of(p.delivery().owner()));
    if (inDoubt && !p.start().finalState().isPresent()) {
      soft.assertThat(after.map(LedgerEntry::state)).as(pair + ": failed is impossible in doubt").isNotEqualTo(Optional.of(State.FAILED));
    }
    // a final entry stays as it is, except that knowledge grows: unknown becomes sent
    if (p.start().finalState().isPresent()) {
      State expected = a instanceof Action.Sent && p.start() == Start.UNKNOWN ? State.SENT : p.start().finalState().get();
      soft.assertThat(after.map(LedgerEntry::state)).as(pair).contains(expected);
      return;
    }
    // another delivery's live attempt is its owner's: only a delivery (a fact, whoever saw it) changes it
    if (p.start() == Start.OTHERS_LIVE_ATTEMPT) {
      soft.assertThat(after.map(LedgerEntry::state)).as(pair).contains(a instanceof Action.Sent ? State.SENT : State.ATTEMPTING);
      return;
    }
    switch (a.effect()) {
      case FINAL -> {
        if (a instanceof Action.Known && p.start().holding()) {
          soft.assertThat(after.map(LedgerEntry::state)).as(pair + ": an attempt it holds goes back to claimed").contains(State.CLAIMED);
        } else if (a instanceof Action.Known) {
          soft.assertThat(after).as(pair + ": looked at, not changed").isEqualTo(before);
        } else {
          State expected = a instanceof Action.Sent ? State.SENT : a instanceof Action.Unknown || inDoubt ? State.UNKNOWN : State.FAILED;
          soft.assertThat(after.map(LedgerEntry::state)).as(pair).contains(expected);
        }
      }
      case CLAIMED -> {
        if (p.start() == Start.NONE) {
          soft.assertThat(after).as(pair + ": nothing claimed").isEmpty();
        } else if (p.start() == Start.OTHERS_LAPSED_ATTEMPT) {
          soft.assertThat(after.map(LedgerEntry::state)).as(pair + ": left to the attempt script, which takes it over in doubt")
              .contains(State.ATTEMPTING);
        } else {
          soft.assertThat(after.map(LedgerEntry::state)).as(pair).contains(State.CLAIMED);
          soft.assertThat(after.map(LedgerEntry::inDoubt)).as(pair + ": in doubt for good, and only after a lost answer").contains(inDoubt);
          boolean moved = a instanceof Action.NextCredential && p.start() == Start.OWN_ATTEMPT;
          soft.assertThat(after.flatMap(LedgerEntry::credential).equals(before.flatMap(LedgerEntry::credential)))
              .as(pair + (moved ? ": the next credential" : ": the same credential")).isEqualTo(!moved);
        }
      }
      case GIVEN_BACK -> {
        if (inDoubt) {
          soft.assertThat(after.map(LedgerEntry::state)).as(pair).contains(State.UNKNOWN);
          soft.assertThat(poolAfter).as(pair + ": the credential stays spent").isEqualTo(poolBefore);
        } else if (p.start() == Start.NONE) {
          soft.assertThat(after.map(LedgerEntry::state)).as(pair + ": a final entry without credential").contains(State.FAILED);
        } else {
          soft.assertThat(after.map(LedgerEntry::state)).as(pair).contains(State.FAILED);
          soft.assertThat(poolAfter).as(pair + ": the credential back in the pool").isEqualTo(poolBefore + 1);
        }
      }
    }
  }

  private static boolean actionInDoubt(Action a) {
    return switch (a) {
      case Action.RetrySame r -> r.inDoubt();
      case Action.FailPush f -> f.inDoubt();
      case Action.Pause q -> q.inDoubt();
      case Action.QuotaSpent q -> q.inDoubt();
      case Action.DeadLetter d -> d.inDoubt();
      case Action.HandBack h -> h.inDoubt();
      case Action.Stop s -> s.inDoubt();
      default -> false;
    };
  }
}
