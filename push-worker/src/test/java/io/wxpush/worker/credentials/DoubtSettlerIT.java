package io.wxpush.worker.credentials;

import static org.assertj.core.api.Assertions.assertThat;

import io.wxpush.credentials.Credential;
import io.wxpush.credentials.CredentialKind;
import io.wxpush.credentials.CredentialPool;
import io.wxpush.push.PushRun;
import io.wxpush.push.PushStatusStore;
import io.wxpush.redis.RedisConnections;
import io.wxpush.redis.RedisEndpoint;
import io.wxpush.redis.RedisKeys;
import io.wxpush.testkit.RealServices;
import io.wxpush.testkit.TestEnv;
import io.wxpush.user.UserRef;
import io.wxpush.worker.sender.LedgerEntry;
import io.wxpush.worker.sender.SendLedger;
import io.wxpush.worker.sender.SendLedger.Settle;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.UnifiedJedis;

/**
 * Settling a send in doubt by WeChat's sent event on a real Redis, where the system test does not
 * reach: a send of a template whose ledger entry lives in the user's form_id/prepay_id pool (a
 * long-term template's), and an event that arrives while the user's send of that template is
 * still in flight.
 */
@ExtendWith(RealServices.class)
class DoubtSettlerIT {
  private static final String APP = "wxapp1";
  private static final String TEMPLATE = "TPL_LONG";
  private static final Duration GRACE = Duration.ofDays(1);
  private final Clock clock = Clock.systemUTC();
  private UnifiedJedis redis;
  private RedisKeys keys;
  private CredentialPool pool;
  private SendLedger ledger;
  private DoubtSettler settler;

  @BeforeEach
  void open(TestEnv env) {
    redis = RedisConnections.open(RedisEndpoint.parse(env.redisUrl()), 8);
    keys = new RedisKeys(env.redisKeyPrefix());
    pool = new CredentialPool(redis, keys, clock, 200);
    ledger = new SendLedger(redis, null, keys, clock, Duration.ofSeconds(60), GRACE);
    PushStatusStore status = new PushStatusStore(redis, keys, clock);
    settler = new DoubtSettler(redis, keys, new PushRuns(redis, keys, clock), status, GRACE, clock);
  }

  @AfterEach
  void close() {
    redis.close();
  }

  /** A started push of TEMPLATE, listed for its app, with one user counted unknown (as the sender leaves it). */
  private PushRun startedPush(String requestId, String runId, String openId) {
    PushRun run = new PushRun(runId, clock.millis() + GRACE.toMillis(), 1);
    redis.hset(keys.pushStatus(APP, requestId), Map.of("state", "sending", "templateId", TEMPLATE, "run", runId,
        "until", Long.toString(run.untilMs()), "buckets", "1", "targets", "1", "unknown", "1"));
    redis.pexpire(keys.pushStatus(APP, requestId), GRACE.toMillis());
    redis.hset(keys.pushReasons(APP, requestId), "http_502", "1");
    redis.hset(keys.pushOutcomes(APP, requestId, 0), Map.of(RedisKeys.outcomeField(openId), "u:http_502"));
    redis.zadd(keys.pushList(APP), clock.millis(), requestId);
    return run;
  }

  private UserRef userWithFormId(String openId) {
    pool.addAll(List.of(Credential.of(APP, openId, CredentialKind.FORM_ID, "f-" + openId, null, clock.millis())));
    return new UserRef(APP, openId);
  }

  @Test
  void anEventForATemplateWhoseUnknownSendLivesInTheFormIdPoolSettlesItSentOnce() {
    UserRef user = userWithFormId("o-pool");
    PushRun run = startedPush("rid-pool", "p1", "o-pool");
    ledger.attempt(user, run, null, "A", Duration.ofSeconds(30), true);
    ledger.settle(user, run, null, "A", Settle.UNKNOWN, "http_502");

    DoubtSettler.Result first = settler.settle(user, TEMPLATE, 4242L, 0, true);
    assertThat(first.effect()).isEqualTo(DoubtSettler.Effect.SETTLED);
    assertThat(first.requestId()).contains("rid-pool");
    assertThat(ledger.read(user, run, null)).map(LedgerEntry::state).contains(LedgerEntry.State.SENT);
    assertThat(redis.hmget(keys.pushStatus(APP, "rid-pool"), "sent", "unknown")).containsExactly("1", "0");
    assertThat(redis.hget(keys.pushReasons(APP, "rid-pool"), "http_502")).isNull();

    assertThat(settler.settle(user, TEMPLATE, 4242L, 0, true).effect()).as("WeChat's retry").isEqualTo(DoubtSettler.Effect.REPEAT);
    assertThat(redis.hmget(keys.pushStatus(APP, "rid-pool"), "sent", "unknown")).containsExactly("1", "0");
    assertThat(settler.settle(user, "TPL_OTHER", 4243L, 0, true).effect()).as("another template's event").isEqualTo(DoubtSettler.Effect.NONE);
  }

  @Test
  void anEventWhileTheSendOfItsTemplateIsInFlightWaitsAndThenSettlesTheUnknownItLeaves() {
    UserRef user = userWithFormId("o-early");
    PushRun run = startedPush("rid-early", "q1", "o-early");
    ledger.attempt(user, run, null, "A", Duration.ofSeconds(30), true);

    assertThat(settler.settle(user, TEMPLATE, 777L, 10005, true).effect()).isEqualTo(DoubtSettler.Effect.IN_FLIGHT);
    assertThat(redis.hget(keys.pushStatus(APP, "rid-early"), "failed")).isNull();

    ledger.settle(user, run, null, "A", Settle.UNKNOWN, "http_502");
    assertThat(settler.settle(user, TEMPLATE, 777L, 10005, true).effect()).isEqualTo(DoubtSettler.Effect.SETTLED);
    assertThat(ledger.read(user, run, null)).map(LedgerEntry::state).contains(LedgerEntry.State.FAILED);
    assertThat(redis.hmget(keys.pushStatus(APP, "rid-early"), "failed", "unknown")).containsExactly("1", "0");
    assertThat(redis.hget(keys.pushReasons(APP, "rid-early"), "async_10005")).isEqualTo("1");
  }
}
