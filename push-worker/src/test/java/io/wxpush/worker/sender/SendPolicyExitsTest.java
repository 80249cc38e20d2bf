package io.wxpush.worker.sender;

import static org.assertj.core.api.Assertions.assertThat;

import io.wxpush.credentials.CredentialKind;
import io.wxpush.push.PushStatusStore.Stop;
import io.wxpush.wechat.WeChatReply;
import io.wxpush.worker.loop.Backoff;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * RELIABILITY.md's "How a task ends", the rows that are not WeChat's answers: admission, the
 * ledger's answers to an attempt mark, the last look before the call, and the last and spare
 * deliveries. Each row is one call of the pure policy.
 */
class SendPolicyExitsTest {
  private static final Duration BUDGET = Duration.ofSeconds(12);
  private static final Duration PLENTY = Duration.ofSeconds(28);
  private static final Instant NOON_BEIJING = Instant.parse("2026-12-01T04:00:00Z");
  private static final Instant LATER = NOON_BEIJING.plusSeconds(3600);
  private final SendPolicy policy = new SendPolicy(5, new Backoff(Duration.ofMillis(200), Duration.ofSeconds(5)), BUDGET, 5);

  private static SendPolicy.Admission admission(boolean pastNotAfter, Stop stop, int delivery, Duration timeLeft, Instant quietUntil,
      boolean dailyQuota) {
    return new SendPolicy.Admission(pastNotAfter, stop, delivery, timeLeft, Optional.ofNullable(quietUntil), dailyQuota);
  }

  private static Stop cancelled() {
    return new Stop(Optional.empty(), true);
  }

  private static Stop failedFast(String reason) {
    return new Stop(Optional.of(reason), false);
  }

  @Test
  void aTaskWithNothingInItsWayIsAdmitted() {
    assertThat(policy.admit(admission(false, Stop.NONE, 1, PLENTY, null, false))).isEmpty();
    assertThat(policy.admitted(true, new PushGate.Go(), 1)).isEmpty();
  }

  @Test
  void admissionEndsATaskWithoutASendGivingBackWhatAnEarlierDeliveryClaimed() {
    assertThat(policy.admit(admission(true, cancelled(), 1, PLENTY, LATER, true))).contains(new Action.Stop("not_after", false));
    assertThat(policy.admit(admission(false, failedFast("40037"), 1, PLENTY, null, false))).contains(new Action.Stop("40037", false));
    assertThat(policy.admit(admission(false, cancelled(), 9, PLENTY, null, false))).as("a cancel counts cancelled even on the spare")
        .contains(new Action.Stop(TaskRunner.CANCELLED, false));
    assertThat(policy.admitted(true, new PushGate.Refused("47003"), 1)).as("this process's gate refuses the push")
        .contains(new Action.Stop("47003", false));
  }

  @Test
  void quietHoursHoldTheTaskAndADailyQuotaPauseDeadLettersIt() {
    assertThat(policy.admit(admission(false, Stop.NONE, 1, PLENTY, LATER, true))).contains(new Action.Hold(LATER));
    assertThat(policy.admit(admission(false, Stop.NONE, 1, PLENTY, null, true))).contains(new Action.DeadLetter("45009", false));
  }

  @Test
  void noTimeOrNoSlotHandsBackAndOnTheLastDeliveryDeadLetters() {
    assertThat(policy.admit(admission(false, Stop.NONE, 1, BUDGET, null, false))).contains(new Action.HandBack(false));
    assertThat(policy.admit(admission(false, Stop.NONE, 5, BUDGET, null, false))).contains(new Action.DeadLetter("redelivered_5_times", false));
    assertThat(policy.admitted(false, new PushGate.Go(), 4)).contains(new Action.HandBack(false));
    assertThat(policy.admitted(true, new PushGate.TimedOut(), 5)).contains(new Action.DeadLetter("redelivered_5_times", false));
    assertThat(policy.beforeTry(false, false, true, PLENTY, 2)).as("no send permit in time").contains(new Action.HandBack(true));
    assertThat(policy.beforeTry(false, true, true, BUDGET, 5)).contains(new Action.DeadLetter("redelivered_5_times", true));
    assertThat(policy.beforeTry(true, true, true, PLENTY, 1)).contains(new Action.Stop("not_after", true));
    assertThat(policy.beforeTry(false, true, false, PLENTY, 1)).isEmpty();
  }

  @Test
  void theSpareDeliveryAfterTheLastOnlyDeadLetters() {
    assertThat(policy.last(5)).isTrue();
    assertThat(policy.spare(5)).isFalse();
    assertThat(policy.spare(6)).isTrue();
    assertThat(policy.admit(admission(false, Stop.NONE, 6, PLENTY, null, false))).contains(new Action.DeadLetter("redelivered_6_times", false));
    assertThat(policy.beforeTry(false, true, true, PLENTY, 6)).as("never a send on the spare").contains(new Action.DeadLetter("redelivered_6_times", true));
  }

  private static SendLedger.Result mark(SendLedger.Status status, Duration leaseLeft) {
    LedgerEntry entry = LedgerEntry.parse("a 0 1 other 0 0 1797091687 f:x");
    return new SendLedger.Result(status, entry, leaseLeft, false, false);
  }

  @Test
  void theLedgersAnswerToAnAttemptMarkHasOneActionEach() {
    assertThat(policy.afterMark(mark(SendLedger.Status.ATTEMPTING, Duration.ZERO), PLENTY, 1)).isEmpty();
    assertThat(policy.afterMark(mark(SendLedger.Status.EXPIRED, Duration.ZERO), PLENTY, 1)).contains(new Action.Stop("push_expired", false));
    assertThat(policy.afterMark(mark(SendLedger.Status.FINAL, Duration.ZERO), PLENTY, 1)).contains(new Action.Known());
    assertThat(policy.afterMark(mark(SendLedger.Status.NONE, Duration.ZERO), PLENTY, 1)).contains(new Action.Known());
    assertThat(policy.afterMark(mark(SendLedger.Status.REFUSED, Duration.ZERO), PLENTY, 1)).as("in doubt, not a form_id")
        .contains(new Action.Unknown("in_doubt"));
    assertThat(policy.afterMark(mark(SendLedger.Status.BUSY, Duration.ofSeconds(3)), PLENTY, 1)).contains(new Action.Wait(Duration.ofSeconds(3)));
    assertThat(policy.afterMark(mark(SendLedger.Status.BUSY, Duration.ofSeconds(20)), PLENTY, 1)).contains(new Action.HandBack(false));
    assertThat(policy.afterMark(mark(SendLedger.Status.BUSY, Duration.ofSeconds(20)), PLENTY, 5))
        .contains(new Action.DeadLetter("redelivered_5_times", false));
  }

  @Test
  void theLastLookStopsACancelledOrFailedPushAndNeverTrustsAnUnsureRead() {
    assertThat(policy.lastLook(false, Optional.of(Stop.NONE), Optional.empty(), false, 1)).isEmpty();
    assertThat(policy.lastLook(false, Optional.of(cancelled()), Optional.empty(), true, 1)).contains(new Action.Stop(TaskRunner.CANCELLED, true));
    assertThat(policy.lastLook(false, Optional.of(failedFast("41030")), Optional.empty(), false, 1)).contains(new Action.Stop("41030", false));
    assertThat(policy.lastLook(true, Optional.of(Stop.NONE), Optional.empty(), false, 1)).contains(new Action.Stop("not_after", false));
    assertThat(policy.lastLook(false, Optional.empty(), Optional.empty(), false, 1)).as("no fresh read of the stop marks in time").contains(new Action.HandBack(false));
  }

  @Test
  void aRetryThatRunsIntoQuietHoursIsHeldAtTheLastLookInsteadOfSending() {
    assertThat(policy.lastLook(false, Optional.of(Stop.NONE), Optional.of(LATER), false, 1)).contains(new Action.Hold(LATER));
    assertThat(policy.lastLook(false, Optional.of(Stop.NONE), Optional.of(LATER), true, 5)).as("in doubt, on the last delivery: held all the same")
        .contains(new Action.Hold(LATER));
    assertThat(policy.lastLook(false, Optional.empty(), Optional.of(LATER), false, 1)).as("no send either way: an unsure stop read does not matter")
        .contains(new Action.Hold(LATER));
    assertThat(policy.lastLook(false, Optional.of(cancelled()), Optional.of(LATER), false, 1)).as("a cancel ends it at once")
        .contains(new Action.Stop(TaskRunner.CANCELLED, false));
    assertThat(policy.lastLook(true, Optional.of(Stop.NONE), Optional.of(LATER), false, 1)).as("notAfter still wins")
        .contains(new Action.Stop("not_after", false));
  }

  @Test
  void anEndingFencedByAnotherDeliverysLiveAttemptWaitsForItOrHandsBackEvenOnTheLastDelivery() {
    assertThat(policy.fenced(Duration.ofSeconds(5))).isEqualTo(new Action.Wait(SendPolicy.FENCED_WAIT));
    assertThat(policy.fenced(Duration.ofSeconds(2))).isEqualTo(new Action.HandBack(false));
  }

  @Test
  void aHandBackOnTheLastDeliveryIsTheDlq() {
    var late = new SendPolicy.State(CredentialKind.FORM_ID, false, 0, 1, 0, false, BUDGET, NOON_BEIJING, 5);
    assertThat(policy.decide(late, new WeChatReply(200, -1, "", false))).isEqualTo(new Action.DeadLetter("redelivered_5_times", false));
    assertThat(policy.decide(late, WeChatReply.transport(WeChatReply.TIMED_OUT, true))).isEqualTo(new Action.DeadLetter("redelivered_5_times", true));
  }

  @Test
  void aTokenFetchThatKeepsFailingGivesUpInDoubtWhenTheLedgerSaysSo() {
    var doubtful = new SendPolicy.State(CredentialKind.FORM_ID, true, 4, 1, 0, false, PLENTY, NOON_BEIJING, 2);
    assertThat(policy.decide(doubtful, WeChatReply.transport(WeChatReply.NOT_SENT, false))).isEqualTo(new Action.DeadLetter("io_error", true));
  }
}
