package io.wxpush.worker.sender;

import io.wxpush.credentials.Credential;
import io.wxpush.credentials.CredentialKind;
import io.wxpush.credentials.CredentialPool;
import io.wxpush.credentials.PoolMember;
import io.wxpush.push.PushRun;
import io.wxpush.redis.RedisKeys;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.wxpush.redis.RedisEndpoint;
import io.wxpush.worker.sender.LedgerEntry.State;
import io.wxpush.worker.sender.SendLedger.Settle;
import io.wxpush.worker.sender.SendLedger.Status;
import io.wxpush.redis.RedisConnections;
import io.wxpush.testkit.RealServices;
import io.wxpush.testkit.TestEnv;
import io.wxpush.user.UserRef;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.UnifiedJedis;

/** The send ledger's transitions on a real Redis: each one fenced by its owner and timed by Redis's clock. */
@ExtendWith(RealServices.class)
class SendLedgerIT {
  private static final String APP = "wxapp1";
  private static final Duration LONG_LEASE = Duration.ofSeconds(30);
  private final Clock clock = Clock.systemUTC();
  private UnifiedJedis redis;
  private CredentialPool pool;
  private SendLedger ledger;

  @BeforeEach
  void open(TestEnv env) {
    redis = RedisConnections.open(RedisEndpoint.parse(env.redisUrl()), 8);
    pool = new CredentialPool(redis, new RedisKeys(env.redisKeyPrefix()), clock, 200);
    ledger = new SendLedger(redis, null, pool.keys(), clock, Duration.ofSeconds(60), Duration.ofDays(8));
  }

  @AfterEach
  void close() {
    redis.close();
  }

  private UserRef userWith(String openId, CredentialKind kind, String... values) {
    UserRef user = new UserRef(APP, openId);
    long now = clock.millis();
    List<Credential> batch = new ArrayList<>();
    for (int i = 0; i < values.length; i++) {
      String template = kind == CredentialKind.SUBSCRIPTION ? "TPL" : null;
      batch.add(Credential.of(APP, openId, kind, values[i], template, now - (values.length - i) * 1000L));
    }
    pool.addAll(batch);
    return user;
  }

  @Test
  void failedIsNeverWrittenForAnEntryInDoubtItEndsUnknown() {
    UserRef user = userWith("o-doubt-failed", CredentialKind.FORM_ID, "f1", "f2");
    ledger.attempt(user, run("push-1"), null, "A", LONG_LEASE, true);
    ledger.settle(user, run("push-1"), null, "A", Settle.DOUBT, null);
    SendLedger.Result failed = ledger.settle(user, run("push-1"), null, "B", Settle.FAILED, "io_error");
    assertThat(failed.status()).isEqualTo(Status.OK);
    assertThat(failed.entry().state()).as("the first send may have been delivered").isEqualTo(State.UNKNOWN);
    assertThat(ledger.claim(user, run("push-1"), null).status()).as("nothing claimed afresh").isEqualTo(Status.EXISTING);
    assertThat(pool.inspect(user).formIds()).isEqualTo(1);
  }

  @Test
  void anotherOwnersAttemptWhoseLeaseRanOutEndsUnknownNeverFailed() {
    UserRef user = userWith("o-lapsed", CredentialKind.PREPAY_ID, "p1");
    ledger.attempt(user, run("push-1"), null, "A", Duration.ofMillis(50), true);
    assertThat(ledger.settle(user, run("push-1"), null, "B", Settle.FAILED, "x").status()).as("a live lease is A's").isEqualTo(Status.FENCED);
    SendLedger.Result ended = await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20))
        .until(() -> ledger.settle(user, run("push-1"), null, "B", Settle.FAILED, "redelivered_6_times"), r -> r.status() != Status.FENCED);
    assertThat(ended.status()).isEqualTo(Status.OK);
    assertThat(ended.entry().state()).as("A may have called WeChat").isEqualTo(State.UNKNOWN);
  }

  @Test
  void aLateZeroTurnsUnknownIntoSentAndNeverTheOtherWay() {
    UserRef user = userWith("o-late-zero", CredentialKind.PREPAY_ID, "p1");
    ledger.attempt(user, run("push-1"), null, "A", Duration.ofMillis(50), true);
    await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20))
        .until(() -> ledger.attempt(user, run("push-1"), null, "B", LONG_LEASE, true).status() == Status.REFUSED);
    assertThat(ledger.settle(user, run("push-1"), null, "B", Settle.UNKNOWN, "in_doubt").entry().state()).isEqualTo(State.UNKNOWN);

    SendLedger.Result late = ledger.settle(user, run("push-1"), null, "A", Settle.SENT, null);
    assertThat(late.status()).as("the frozen owner read errcode 0 after all").isEqualTo(Status.OK);
    assertThat(late.entry().state()).isEqualTo(State.SENT);
    assertThat(ledger.read(user, run("push-1"), null).orElseThrow().state()).isEqualTo(State.SENT);
    assertThat(ledger.settle(user, run("push-1"), null, "B", Settle.UNKNOWN, "in_doubt").status()).isEqualTo(Status.FINAL);
    assertThat(ledger.settle(user, run("push-1"), null, "B", Settle.FAILED, "x").status()).isEqualTo(Status.FINAL);
    assertThat(ledger.read(user, run("push-1"), null).orElseThrow().state()).as("never back from sent").isEqualTo(State.SENT);
  }

  @Test
  void aSendGoesFromClaimedThroughAttemptingToSentAndStaysThere() {
    UserRef user = userWith("o-happy", CredentialKind.FORM_ID, "f1");
    SendLedger.Result claimed = ledger.claim(user, run("push-1"), null);
    assertThat(claimed.status()).isEqualTo(Status.CLAIMED);
    assertThat(claimed.entry().state()).isEqualTo(State.CLAIMED);
    assertThat(claimed.entry().credential()).map(PoolMember::value).contains("f1");

    SendLedger.Result attempt = ledger.attempt(user, run("push-1"), null, "A", LONG_LEASE, true);
    assertThat(attempt.status()).isEqualTo(Status.ATTEMPTING);
    assertThat(attempt.entry().owner()).contains("A");
    assertThat(attempt.entry().attempts()).isEqualTo(1);
    assertThat(attempt.entry().inDoubt()).isFalse();

    SendLedger.Result sent = ledger.settle(user, run("push-1"), null, "A", Settle.SENT, null);
    assertThat(sent.status()).isEqualTo(Status.OK);
    assertThat(sent.entry().state()).isEqualTo(State.SENT);

    assertThat(ledger.claim(user, run("push-1"), null).status()).isEqualTo(Status.EXISTING);
    assertThat(ledger.attempt(user, run("push-1"), null, "B", LONG_LEASE, true).status()).isEqualTo(Status.FINAL);
    assertThat(ledger.settle(user, run("push-1"), null, "A", Settle.RETRY, null).status()).isEqualTo(Status.FINAL);
    assertThat(pool.inspect(user).formIds()).isZero();
    assertThat(redis.exists(pool.keys().ledger(user))).as("nothing in flight: no ledger hash").isFalse();
    assertThat(redis.pttl(pool.keys().templatePool(user))).as("nothing live: the pool expires with its leftovers").isPositive();
  }

  @Test
  void theFirstAttemptClaimsAndMarksInOneStep() {
    UserRef user = userWith("o-first", CredentialKind.FORM_ID, "f1");
    SendLedger.Result first = ledger.attempt(user, run("push-1"), null, "A", LONG_LEASE, true);
    assertThat(first.status()).isEqualTo(Status.ATTEMPTING);
    assertThat(first.claimedNow()).isTrue();
    assertThat(first.entry().attempts()).isEqualTo(1);
    assertThat(first.entry().credential()).map(PoolMember::value).contains("f1");
    assertThat(pool.inspect(user).formIds()).isZero();
    SendLedger.Result none = ledger.attempt(user, run("push-2"), null, "A", LONG_LEASE, true);
    assertThat(none.status()).isEqualTo(Status.NONE);
    assertThat(none.entry().state()).isEqualTo(State.NO_CREDENTIAL);

    UserRef granted = userWith("o-first-g", CredentialKind.SUBSCRIPTION, "g1");
    SendLedger.Result grant = ledger.attempt(granted, run("push-1"), "TPL", "A", LONG_LEASE, true);
    assertThat(grant.entry().kind()).contains(CredentialKind.SUBSCRIPTION);
    assertThat(ledger.attempt(granted, run("push-1"), "TPL", "B", LONG_LEASE, true).claimedNow()).isFalse();
  }

  @Test
  void anotherOwnersLiveLeaseIsLeftAlone() {
    UserRef user = userWith("o-busy", CredentialKind.FORM_ID, "f1", "f2");
    ledger.claim(user, run("push-1"), null);
    assertThat(ledger.attempt(user, run("push-1"), null, "A", LONG_LEASE, true).status()).isEqualTo(Status.ATTEMPTING);

    SendLedger.Result other = ledger.attempt(user, run("push-1"), null, "B", LONG_LEASE, true);
    assertThat(other.status()).isEqualTo(Status.BUSY);
    assertThat(other.leaseLeft()).isBetween(Duration.ofSeconds(20), LONG_LEASE);
    assertThat(ledger.settle(user, run("push-1"), null, "B", Settle.RETRY, null).status()).isEqualTo(Status.FENCED);
    assertThat(ledger.settle(user, run("push-1"), null, "B", Settle.FAILED, "x").status()).isEqualTo(Status.FENCED);
    assertThat(ledger.next(user, run("push-1"), null, "B", "41028").status()).isEqualTo(Status.FENCED);
    assertThat(ledger.release(user, run("push-1"), null, "B", "45009").status()).isEqualTo(Status.FENCED);
    assertThat(ledger.read(user, run("push-1"), null).orElseThrow().owner()).contains("A");
    assertThat(pool.inspect(user).formIds()).as("nothing moved to the next credential").isEqualTo(1);
  }

  @Test
  void anAttemptWhoseLeaseRanOutIsInDoubtAndOnlyAFormIdIsTriedAgain() {
    UserRef forms = userWith("o-lapsed-f", CredentialKind.FORM_ID, "f1");
    ledger.claim(forms, run("push-1"), null);
    ledger.attempt(forms, run("push-1"), null, "A", Duration.ofMillis(50), true);
    SendLedger.Result takeover = await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20))
        .until(() -> ledger.attempt(forms, run("push-1"), null, "B", LONG_LEASE, true), r -> r.status() != Status.BUSY);
    assertThat(takeover.status()).isEqualTo(Status.ATTEMPTING);
    assertThat(takeover.entry().inDoubt()).isTrue();
    assertThat(takeover.entry().credential()).map(PoolMember::value).contains("f1");
    assertThat(takeover.entry().attempts()).isEqualTo(2);

    UserRef prepays = userWith("o-lapsed-p", CredentialKind.PREPAY_ID, "p1");
    ledger.claim(prepays, run("push-1"), null);
    ledger.attempt(prepays, run("push-1"), null, "A", Duration.ofMillis(50), true);
    SendLedger.Result refused = await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20))
        .until(() -> ledger.attempt(prepays, run("push-1"), null, "B", LONG_LEASE, true), r -> r.status() != Status.BUSY);
    assertThat(refused.status()).as("a prepay_id in doubt is never sent again").isEqualTo(Status.REFUSED);
    assertThat(refused.entry().state()).isEqualTo(State.CLAIMED);
    assertThat(refused.entry().inDoubt()).isTrue();
    assertThat(ledger.attempt(prepays, run("push-1"), null, "C", LONG_LEASE, true).status()).isEqualTo(Status.REFUSED);
    assertThat(ledger.settle(prepays, run("push-1"), null, "B", Settle.UNKNOWN, "in_doubt").entry().state()).isEqualTo(State.UNKNOWN);
  }

  @Test
  void onlyAnAttemptKnownToHaveHadNoCallLeavesItsOwnMarkOutOfDoubt() {
    UserRef user = userWith("o-own", CredentialKind.PREPAY_ID, "p1");
    ledger.claim(user, run("push-1"), null);
    ledger.attempt(user, run("push-1"), null, "A", LONG_LEASE, true);
    SendLedger.Result again = ledger.attempt(user, run("push-1"), null, "A", LONG_LEASE, true);
    assertThat(again.status()).isEqualTo(Status.ATTEMPTING);
    assertThat(again.entry().inDoubt()).isFalse();
    assertThat(ledger.attempt(user, run("push-1"), null, "A", LONG_LEASE, false).status()).as("its call may have gone out").isEqualTo(Status.REFUSED);
  }

  @Test
  void aLostAnswerKeepsTheSendInDoubtAndOnTheSameCredential() {
    UserRef user = userWith("o-doubt", CredentialKind.FORM_ID, "f1", "f2");
    ledger.claim(user, run("push-1"), null);
    ledger.attempt(user, run("push-1"), null, "A", LONG_LEASE, true);
    SendLedger.Result doubt = ledger.settle(user, run("push-1"), null, "A", Settle.DOUBT, null);
    assertThat(doubt.entry().state()).isEqualTo(State.CLAIMED);
    assertThat(doubt.entry().inDoubt()).isTrue();
    SendLedger.Result retry = ledger.attempt(user, run("push-1"), null, "A", LONG_LEASE, true);
    assertThat(retry.status()).isEqualTo(Status.ATTEMPTING);
    assertThat(retry.entry().inDoubt()).isTrue();
    assertThat(ledger.settle(user, run("push-1"), null, "A", Settle.RETRY, null).entry().inDoubt()).as("doubt stays").isTrue();
    ledger.attempt(user, run("push-1"), null, "A", LONG_LEASE, true);
    assertThat(ledger.next(user, run("push-1"), null, "A", "41028").status()).isEqualTo(Status.FENCED);
    assertThat(ledger.release(user, run("push-1"), null, "A", "45009").status()).isEqualTo(Status.FENCED);
    assertThat(pool.inspect(user).formIds()).isEqualTo(1);
  }

  @Test
  void aDeliveryIsRecordedWhoeverSawItAndTheLaterOwnerFindsItFinal() {
    UserRef user = userWith("o-stale", CredentialKind.FORM_ID, "f1");
    ledger.claim(user, run("push-1"), null);
    ledger.attempt(user, run("push-1"), null, "A", Duration.ofMillis(50), true);
    await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20))
        .until(() -> ledger.attempt(user, run("push-1"), null, "B", LONG_LEASE, true).status() == Status.ATTEMPTING);
    assertThat(ledger.settle(user, run("push-1"), null, "A", Settle.RETRY, null).status()).as("A's lease is gone").isEqualTo(Status.FENCED);
    assertThat(ledger.settle(user, run("push-1"), null, "A", Settle.SENT, null).status()).isEqualTo(Status.OK);
    assertThat(ledger.settle(user, run("push-1"), null, "B", Settle.SENT, null).status()).isEqualTo(Status.FINAL);
    assertThat(ledger.read(user, run("push-1"), null).orElseThrow().state()).isEqualTo(State.SENT);
  }

  @Test
  void aDeadCredentialMovesToTheNextAndAnEmptyPoolEndsTheEntry() {
    UserRef user = userWith("o-next", CredentialKind.FORM_ID, "f1", "f2");
    ledger.claim(user, run("push-1"), null);
    ledger.attempt(user, run("push-1"), null, "A", LONG_LEASE, true);
    SendLedger.Result next = ledger.next(user, run("push-1"), null, "A", "41028");
    assertThat(next.status()).isEqualTo(Status.CLAIMED);
    assertThat(next.entry().credential()).map(PoolMember::value).contains("f2");
    assertThat(next.entry().attempts()).isEqualTo(1);
    ledger.attempt(user, run("push-1"), null, "A", LONG_LEASE, true);
    SendLedger.Result none = ledger.next(user, run("push-1"), null, "A", "41028");
    assertThat(none.status()).isEqualTo(Status.NONE);
    assertThat(none.entry().state()).isEqualTo(State.NO_CREDENTIAL);
    assertThat(none.entry().reason()).contains("41028");
  }

  @Test
  void aReleasedCredentialGoesBackAndTheEntryEndsFailed() {
    UserRef user = userWith("o-release", CredentialKind.FORM_ID, "f1");
    ledger.claim(user, run("push-1"), null);
    ledger.attempt(user, run("push-1"), null, "A", LONG_LEASE, true);
    SendLedger.Result released = ledger.release(user, run("push-1"), null, "A", "45009");
    assertThat(released.status()).isEqualTo(Status.OK);
    assertThat(released.returnedToPool()).isTrue();
    assertThat(released.entry().state()).isEqualTo(State.FAILED);
    assertThat(released.entry().credential()).isEmpty();
    assertThat(pool.inspect(user).formIds()).isEqualTo(1);
    assertThat(ledger.claim(user, run("push-1"), null).status()).as("the push keeps its outcome").isEqualTo(Status.EXISTING);
    assertThat(ledger.claim(user, run("push-2"), null).entry().credential()).map(PoolMember::value).contains("f1");
  }

  @Test
  void anEmptyPoolIsAFinalNoCredentialThatEveryDeliveryAgreesOn() {
    UserRef user = new UserRef(APP, "o-empty");
    SendLedger.Result none = ledger.claim(user, run("push-1"), null);
    assertThat(none.status()).isEqualTo(Status.NONE);
    assertThat(none.entry().state()).isEqualTo(State.NO_CREDENTIAL);
    userWith("o-empty", CredentialKind.FORM_ID, "late");
    assertThat(ledger.claim(user, run("push-1"), null).entry().state()).isEqualTo(State.NO_CREDENTIAL);
  }

  @Test
  void grantsAreClaimedPerTemplateAndNeverRetriedInDoubt() {
    UserRef user = userWith("o-grant", CredentialKind.SUBSCRIPTION, "g1");
    assertThat(ledger.claim(user, run("push-1"), "OTHER").status()).isEqualTo(Status.NONE);
    SendLedger.Result claimed = ledger.claim(user, run("push-2"), "TPL");
    assertThat(claimed.entry().kind()).contains(CredentialKind.SUBSCRIPTION);
    ledger.attempt(user, run("push-2"), null, "A", LONG_LEASE, true);
    ledger.settle(user, run("push-2"), null, "A", Settle.DOUBT, null);
    assertThat(ledger.attempt(user, run("push-2"), null, "A", LONG_LEASE, true).status()).isEqualTo(Status.REFUSED);
  }

  @Test
  void finalEntriesLeaveThePoolOnceTheGraceTimeHasPassedAndAPoolWithNothingLiveExpires() {
    SendLedger shortLived = new SendLedger(redis, null, pool.keys(), clock, Duration.ofSeconds(60), Duration.ofMillis(1));
    UserRef user = userWith("o-grace", CredentialKind.FORM_ID, "f1");
    String key = pool.keys().templatePool(user);
    assertThat(redis.pttl(key)).as("a pool with a live entry has no TTL").isEqualTo(-1);
    long now = Long.parseLong((String) redis.eval("return redis.call('TIME')[1]")) * 1000; // Redis's clock, as the horizon is
    PushRun old = new PushRun("old", now + 2_000, 1);
    SendLedger.Result sent = shortLived.attempt(user, old, null, "A", LONG_LEASE, true);
    assertThat(sent.status()).isEqualTo(Status.ATTEMPTING);
    assertThat(shortLived.settle(user, old, null, "A", Settle.SENT, null).entry().state()).isEqualTo(State.SENT);
    assertThat(redis.exists(pool.keys().ledger(user))).as("nothing in flight: no ledger hash").isFalse();
    assertThat(redis.zrangeByScore(key, "-inf", "(0")).as("a spent mark and a final entry").containsExactlyInAnyOrder("f:f1", "lold");
    assertThat(redis.pttl(key)).as("nothing live: the pool expires with its last leftover").isPositive();
    // a push past its horizon begins nothing for this user
    assertThat(shortLived.attempt(user, new PushRun("late", now - 1, 1), null, "A", LONG_LEASE, true).status()).isEqualTo(Status.EXPIRED);
    // within the grace time (here: the horizon) a redelivered task still finds its outcome
    assertThat(shortLived.attempt(user, old, null, "B", LONG_LEASE, true).status()).isEqualTo(Status.FINAL);
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200)).until(() -> {
      pool.sweepShard(APP, null, RedisKeys.shardOf("o-grace"));
      return !redis.zrangeByScore(key, "-inf", "(0").contains("lold");
    });
    assertThat(shortLived.read(user, old, null)).isEmpty();
    assertThat(pool.index().indexPage(APP, null, RedisKeys.shardOf("o-grace"), null, 1000)).as("nothing live nor final: out of the index")
        .doesNotContain("o-grace");
  }

  @Test
  void aFinalEntryTakesAFewBytesAndStaysThroughTheGraceTime() {
    UserRef user = userWith("o-small", CredentialKind.FORM_ID, "f1", "f2");
    String key = pool.keys().templatePool(user);
    for (int i = 0; i < 10; i++) {
      ledger.attempt(user, run("p" + i), null, "A", LONG_LEASE, true);
      ledger.settle(user, run("p" + i), null, "A", Settle.FAILED, "43101");
    }
    assertThat(ledger.read(user, run("p1"), null).orElseThrow().reason()).contains("43101");
    assertThat(ledger.read(user, run("p3"), null).orElseThrow().state()).as("the pool ran dry").isEqualTo(State.NO_CREDENTIAL);
    assertThat(redis.objectEncoding(key)).as("one small listpack").isEqualTo("listpack");
    assertThat(redis.exists(pool.keys().ledger(user))).isFalse();
  }

  /** A cap of two: the policy as the sender passes it, with the day ending at the next UTC midnight. */
  private static SendLedger.Spend capOf(int cap) {
    long dayEnd = LocalDate.now(ZoneOffset.UTC).plusDays(1).atStartOfDay(ZoneOffset.UTC).toEpochSecond();
    return new SendLedger.Spend(cap, dayEnd, false);
  }

  @Test
  void theCapCountsSendsInFlightAndSentOrMaybeSentButNotWhatWasGivenBack() {
    UserRef user = userWith("o-cap", CredentialKind.FORM_ID, "c1", "c2", "c3", "c4", "c5");
    SendLedger.Spend cap = capOf(2);
    assertThat(ledger.attempt(user, run("p1"), null, "A", LONG_LEASE, true, cap).status()).isEqualTo(Status.ATTEMPTING);
    assertThat(ledger.attempt(user, run("p2"), null, "B", LONG_LEASE, true, cap).status()).isEqualTo(Status.ATTEMPTING);
    SendLedger.Result third = ledger.claim(user, run("p3"), null, cap);
    assertThat(third.status()).as("two in flight fill a cap of two").isEqualTo(Status.NONE);
    assertThat(third.entry().reason()).contains("capped");
    assertThat(pool.inspect(user).sendsLeft()).as("a capped claim spends nothing").isEqualTo(3);

    // p1 is given back (surely not sent): it counts no more; p2 was maybe delivered: it counts
    ledger.release(user, run("p1"), null, "A", "45009");
    ledger.settle(user, run("p2"), null, "B", Settle.UNKNOWN, "timeout", cap);
    SendLedger.Result fourth = ledger.attempt(user, run("p4"), null, "D", LONG_LEASE, true, cap);
    assertThat(fourth.status()).isEqualTo(Status.ATTEMPTING);
    ledger.settle(user, run("p4"), null, "D", Settle.SENT, null, cap);
    assertThat(ledger.claim(user, run("p5"), null, cap).entry().reason()).as("unknown + sent = 2").contains("capped");
    // a redelivered settle counts nothing more, and a critical push (no cap) still claims; its send counts
    ledger.settle(user, run("p4"), null, "D", Settle.SENT, null, cap);
    SendLedger.Spend critical = new SendLedger.Spend(0, cap.dayEndEpochSecond(), false);
    assertThat(ledger.attempt(user, run("p6"), null, "E", LONG_LEASE, true, critical).status()).isEqualTo(Status.ATTEMPTING);
    ledger.settle(user, run("p6"), null, "E", Settle.SENT, null, critical);
    assertThat(ledger.claim(user, run("p7"), null, capOf(3)).entry().reason()).as("three today").contains("capped");
    assertThat(ledger.claim(user, run("p8"), null, capOf(4)).status()).isEqualTo(Status.CLAIMED);

    // yesterday's count is not today's: with the day ending a day earlier, the count reads as another day's
    SendLedger.Spend tomorrow = new SendLedger.Spend(1, cap.dayEndEpochSecond() + 86_400, false);
    assertThat(ledger.claim(user, run("p9"), null, tomorrow).entry().reason()).as("p8 is in flight").contains("capped");
    ledger.release(user, run("p8"), null, "-", "cancelled");
    assertThat(ledger.claim(user, run("p10"), null, tomorrow).status()).isEqualTo(Status.CLAIMED);
  }

  @Test
  void grantsCountInTheSameDayAsFormIdsAndAGrantOnlyUsersCounterExpires() {
    UserRef user = userWith("o-cap-g", CredentialKind.SUBSCRIPTION, "g1", "g2");
    SendLedger.Spend cap = capOf(1);
    assertThat(ledger.attempt(user, run("s1"), "TPL", "A", LONG_LEASE, true, cap).status()).isEqualTo(Status.ATTEMPTING);
    ledger.settle(user, run("s1"), "TPL", "A", Settle.SENT, null, cap);
    assertThat(ledger.claim(user, run("s2"), "TPL", cap).entry().reason()).contains("capped");
    String counter = pool.keys().templatePool(user);
    assertThat(redis.pttl(counter)).as("the counter lives until just after midnight, no longer")
        .isBetween(1L, Duration.ofDays(1).plusHours(1).toMillis());
  }

  @Test
  void aLowPushUnderTheReserveLeavesTheLastCredentialAndAnEmptyPoolIsStillNone() {
    UserRef two = userWith("o-res-2", CredentialKind.FORM_ID, "r1", "r2");
    SendLedger.Spend reserve = new SendLedger.Spend(0, 0, true);
    assertThat(ledger.claim(two, run("l1"), null, reserve).status()).isEqualTo(Status.CLAIMED);
    SendLedger.Result last = ledger.claim(two, run("l2"), null, reserve);
    assertThat(last.entry().reason()).contains("reserved");
    assertThat(pool.inspect(two).sendsLeft()).isEqualTo(1);
    assertThat(ledger.claim(new UserRef(APP, "o-res-none"), run("l3"), null, reserve).entry().reason()).contains("none");
  }

  @Test
  void aPoolSweptWhileItsLastCredentialIsInFlightKeepsTheSendsFinalEntryForItsWholeKeepTime() {
    UserRef user = userWith("o-swept-in-flight", CredentialKind.FORM_ID, "f1");
    SendLedger.Result attempt = ledger.attempt(user, run("push-1"), null, "A", LONG_LEASE, true);
    assertThat(attempt.status()).isEqualTo(Status.ATTEMPTING);
    String key = pool.keys().templatePool(user);
    long keepMs = attempt.entry().keepUntilMs() - clock.millis();
    assertThat(redis.pttl(key)).as("its last live entry gone, the pool outlives the send in flight").isGreaterThanOrEqualTo(keepMs - 5_000);
    pool.sweepShard(APP, null, RedisKeys.shardOf(user.openId())); // sets the TTL again, from what the pool holds
    assertThat(redis.pttl(key)).as("the sweep's TTL is past the in-flight send's keep time, not the spent form_id's expiry")
        .isGreaterThanOrEqualTo(keepMs - 5_000);
    assertThat(ledger.settle(user, run("push-1"), null, "A", Settle.SENT, null).entry().state()).isEqualTo(State.SENT);
    assertThat(redis.pttl(key)).isGreaterThanOrEqualTo(keepMs - 5_000);
    assertThat(ledger.read(user, run("push-1"), null).orElseThrow().state()).isEqualTo(State.SENT);
  }

  private static PushRun run(String id) {
    return new PushRun(id, System.currentTimeMillis() + 86_400_000L, 1);
  }
}
