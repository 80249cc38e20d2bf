package io.wxpush.worker.sender;

import static org.assertj.core.api.Assertions.assertThat;

import io.wxpush.credentials.CredentialKind;
import io.wxpush.wechat.ErrorClass;
import io.wxpush.wechat.WeChatReply;
import io.wxpush.worker.loop.Backoff;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

/**
 * docs/wechat-answers.md's table of answers, row by row, for each credential kind, in doubt and not: the
 * policy is a pure function, so each row is one call.
 */
class SendPolicyTest {
  private static final int MAX_ATTEMPTS = 5;
  private static final int MAX_DELIVERIES = 5;
  private static final Duration BUDGET = Duration.ofSeconds(12);
  private static final Instant NOON_BEIJING = Instant.parse("2026-12-01T04:00:00Z");
  private final SendPolicy policy = new SendPolicy(MAX_ATTEMPTS, new Backoff(Duration.ofMillis(200), Duration.ofSeconds(5)), BUDGET, MAX_DELIVERIES);

  private static SendPolicy.State state(CredentialKind kind, boolean inDoubt) {
    return new SendPolicy.State(kind, inDoubt, 0, 1, 0, false, Duration.ofSeconds(28), NOON_BEIJING, 1);
  }

  private static WeChatReply errcode(int errcode) {
    return new WeChatReply(200, errcode, "", false);
  }

  private static final WeChatReply TIMED_OUT = WeChatReply.transport(WeChatReply.TIMED_OUT, true);
  private static final WeChatReply RESET = WeChatReply.transport(WeChatReply.CONNECTION_LOST, true);
  private static final WeChatReply GATEWAY_502 = new WeChatReply(502, -1, "http 502", true);
  private static final WeChatReply REFUSED_CONNECTION = WeChatReply.transport(WeChatReply.NOT_SENT, false);

  // errcode 0

  @ParameterizedTest
  @EnumSource(CredentialKind.class)
  void zeroIsSentForEveryKindInDoubtOrNot(CredentialKind kind) {
    assertThat(policy.decide(state(kind, false), errcode(0))).isEqualTo(new Action.Sent(null));
    assertThat(policy.decide(state(kind, true), errcode(0))).isEqualTo(new Action.Sent(null));
  }

  // 40001, 40014, 42001: refresh the token, retry once per refused token

  @ParameterizedTest
  @EnumSource(CredentialKind.class)
  void aRefusedTokenIsRefreshedAndTheSameCredentialTriedAtOnce(CredentialKind kind) {
    for (int code : new int[] {40001, 40014, 42001}) {
      assertThat(policy.decide(state(kind, false), errcode(code))).isEqualTo(new Action.RetrySame(0, true, false));
      assertThat(policy.decide(state(kind, true), errcode(code))).as("the doubt stays").isEqualTo(new Action.RetrySame(0, true, true));
    }
  }

  @Test
  void aTokenRefusedAgainAfterItsRefreshCountsAsATransientFailure() {
    var s = new SendPolicy.State(CredentialKind.FORM_ID, false, 0, 1, 0, true, Duration.ofSeconds(28), NOON_BEIJING, 1);
    assertThat(policy.decide(s, errcode(40001))).isEqualTo(new Action.RetrySame(1, false, false));
  }

  // 41028: drop it, claim the next (bounded); in doubt it may have been delivered

  @ParameterizedTest
  @EnumSource(value = CredentialKind.class, names = {"FORM_ID", "PREPAY_ID"})
  void aDeadCredentialMovesToTheNextUnlessInDoubt(CredentialKind kind) {
    assertThat(policy.decide(state(kind, false), errcode(41028))).isEqualTo(new Action.NextCredential("41028"));
    assertThat(policy.decide(state(kind, true), errcode(41028))).isEqualTo(new Action.Unknown("41028_in_doubt"));
  }

  @Test
  void theFifthDeadCredentialEndsTheUser() {
    var s = new SendPolicy.State(CredentialKind.FORM_ID, false, 0, SendPolicy.MAX_CREDENTIALS_PER_USER, 0, false, Duration.ofSeconds(28), NOON_BEIJING, 1);
    assertThat(policy.decide(s, errcode(41028))).isEqualTo(new Action.FailUser("credentials_refused"));
  }

  // 41029: the credential was used, and only this push ever held it

  @ParameterizedTest
  @EnumSource(value = CredentialKind.class, names = {"FORM_ID", "PREPAY_ID"})
  void anUsedCredentialCountsAsSentAndNeverMovesOn(CredentialKind kind) {
    assertThat(policy.decide(state(kind, true), errcode(41029))).as("proven by our own earlier attempt").isEqualTo(new Action.Sent(null));
    assertThat(policy.decide(state(kind, false), errcode(41029))).as("marked, not proven").isEqualTo(new Action.Sent("41029"));
  }

  // 43101, 40003: final for the user

  @ParameterizedTest
  @EnumSource(CredentialKind.class)
  void aRefusingOrUnknownUserIsFinal(CredentialKind kind) {
    assertThat(policy.decide(state(kind, false), errcode(43101))).isEqualTo(new Action.FailUser("43101"));
    assertThat(policy.decide(state(kind, false), errcode(40003))).isEqualTo(new Action.FailUser("40003"));
    assertThat(policy.decide(state(kind, true), errcode(43101))).as("failed is never written in doubt").isEqualTo(new Action.Unknown("43101"));
  }

  // 40037, 41030, 47003, 47001, 45103, 45109: the push is wrong

  @ParameterizedTest
  @EnumSource(CredentialKind.class)
  void aWrongRequestFailsThePushAndKeepsTheDoubt(CredentialKind kind) {
    for (int code : new int[] {40037, 41030, 47003, 47001, 45103, 45109}) {
      boolean gone = code == 40037 && kind == CredentialKind.SUBSCRIPTION;
      assertThat(policy.decide(state(kind, false), errcode(code))).isEqualTo(new Action.FailPush(Integer.toString(code), false, gone));
      assertThat(policy.decide(state(kind, true), errcode(code))).isEqualTo(new Action.FailPush(Integer.toString(code), true, gone));
    }
  }

  // 45009, 45011: pause the app, keep the credential

  @ParameterizedTest
  @EnumSource(CredentialKind.class)
  void theDailyQuotaPausesTheAppUntilBeijingMidnight(CredentialKind kind) {
    assertThat(policy.decide(state(kind, false), errcode(45009))).isEqualTo(new Action.QuotaSpent(Duration.ofHours(12), false));
    assertThat(policy.decide(state(kind, true), errcode(45009))).isEqualTo(new Action.QuotaSpent(Duration.ofHours(12), true));
  }

  @ParameterizedTest
  @EnumSource(CredentialKind.class)
  void aFrequencyLimitPausesBrieflyAndRetriesThenGivesUp(CredentialKind kind) {
    assertThat(policy.decide(state(kind, false), errcode(45011))).isEqualTo(new Action.Pause(Duration.ofSeconds(1), false));
    var later = new SendPolicy.State(kind, false, 0, 1, 3, false, Duration.ofSeconds(28), NOON_BEIJING, 1);
    assertThat(policy.decide(later, errcode(45011))).isEqualTo(new Action.Pause(SendPolicy.MAX_RATE_LIMIT_PAUSE, false));
    var spent = new SendPolicy.State(kind, true, 0, 1, SendPolicy.MAX_QUOTA_RETRIES, false, Duration.ofSeconds(28), NOON_BEIJING, 1);
    assertThat(policy.decide(spent, errcode(45011))).isEqualTo(new Action.DeadLetter("45011", true));
  }

  // −1, a connection never made: surely not delivered, retry with backoff, then the DLQ

  @ParameterizedTest
  @EnumSource(CredentialKind.class)
  void aBusySystemOrARefusedConnectionIsRetriedWithTheSameCredential(CredentialKind kind) {
    assertThat(policy.decide(state(kind, false), errcode(-1))).isEqualTo(new Action.RetrySame(1, false, false));
    assertThat(policy.decide(state(kind, false), REFUSED_CONNECTION)).isEqualTo(new Action.RetrySame(1, false, false));
    assertThat(policy.decide(state(kind, true), errcode(-1))).as("an earlier doubt stays").isEqualTo(new Action.RetrySame(1, false, true));
    var last = new SendPolicy.State(kind, false, MAX_ATTEMPTS - 1, 1, 0, false, Duration.ofSeconds(28), NOON_BEIJING, 1);
    assertThat(policy.decide(last, errcode(-1))).isEqualTo(new Action.DeadLetter("-1", false));
    assertThat(policy.decide(last, REFUSED_CONNECTION)).isEqualTo(new Action.DeadLetter("io_error", false));
  }

  @Test
  void anUnknownErrcodeIsTransient() {
    assertThat(policy.decide(state(CredentialKind.FORM_ID, false), errcode(99999))).isEqualTo(new Action.RetrySame(1, false, false));
  }

  // HTTP 5xx, a reset, a time-out after the request was written: in doubt

  @Test
  void aLostAnswerForAFormIdRetriesTheSameFormIdInDoubt() {
    for (WeChatReply lost : new WeChatReply[] {TIMED_OUT, RESET, GATEWAY_502}) {
      assertThat(policy.decide(state(CredentialKind.FORM_ID, false), lost)).isEqualTo(new Action.RetrySame(1, false, true));
      assertThat(policy.decide(state(CredentialKind.FORM_ID, true), lost)).isEqualTo(new Action.RetrySame(1, false, true));
    }
    var last = new SendPolicy.State(CredentialKind.FORM_ID, true, MAX_ATTEMPTS - 1, 1, 0, false, Duration.ofSeconds(28), NOON_BEIJING, 1);
    assertThat(policy.decide(last, GATEWAY_502)).as("given up in doubt: unknown, via the DLQ").isEqualTo(new Action.DeadLetter("http_502", true));
  }

  @ParameterizedTest
  @EnumSource(value = CredentialKind.class, names = {"PREPAY_ID", "SUBSCRIPTION"})
  void aLostAnswerForAPrepayIdOrGrantIsUnknownAndNeverResent(CredentialKind kind) {
    assertThat(policy.decide(state(kind, false), TIMED_OUT)).isEqualTo(new Action.Unknown("timeout"));
    assertThat(policy.decide(state(kind, false), RESET)).isEqualTo(new Action.Unknown("connection_lost"));
    assertThat(policy.decide(state(kind, false), GATEWAY_502)).isEqualTo(new Action.Unknown("http_502"));
  }

  // the broker's lock on the task

  @Test
  void aRetryThatWouldOutliveTheLockHandsTheTaskBack() {
    var late = new SendPolicy.State(CredentialKind.FORM_ID, false, 0, 1, 0, false, Duration.ofSeconds(12), NOON_BEIJING, 1);
    assertThat(policy.decide(late, errcode(-1))).isEqualTo(new Action.HandBack(false));
    assertThat(policy.decide(late, TIMED_OUT)).as("in doubt, handed back in doubt").isEqualTo(new Action.HandBack(true));
    assertThat(policy.decide(late, errcode(45011))).isEqualTo(new Action.HandBack(false));
    assertThat(policy.decide(late, errcode(40001))).as("an immediate retry fits no better").isEqualTo(new Action.HandBack(false));
    assertThat(policy.mayTry(Duration.ofSeconds(12))).isFalse();
    assertThat(policy.mayTry(Duration.ofSeconds(13))).isTrue();
  }

  @Test
  void everyErrorClassHasARow() {
    var seen = EnumSet.noneOf(ErrorClass.class);
    for (WeChatReply r : new WeChatReply[] {errcode(0), errcode(40001), errcode(41028), errcode(43101), errcode(40037),
        errcode(45011), errcode(-1), TIMED_OUT}) {
      seen.add(r.errorClass());
      assertThat(policy.decide(state(CredentialKind.FORM_ID, false), r)).isNotNull();
    }
    assertThat(seen).containsExactlyInAnyOrder(ErrorClass.values());
  }
}
