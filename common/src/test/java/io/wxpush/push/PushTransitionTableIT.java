package io.wxpush.push;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wxpush.client.PushRequest;
import io.wxpush.redis.RedisEndpoint;
import io.wxpush.redis.RedisConnections;
import io.wxpush.redis.RedisKeys;
import io.wxpush.testkit.RealServices;
import io.wxpush.testkit.TestEnv;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.UnifiedJedis;

/**
 * The table of a push's life ({@link PushTransition}) against a real Redis: from every state (and
 * from no status), each transition the table allows happens and leaves a state of its row; each one it
 * refuses changes nothing.
 */
@ExtendWith(RealServices.class)
class PushTransitionTableIT {
  private static final String APP = "wxapp1";
  private static final Duration GRACE = Duration.ofHours(24);
  private UnifiedJedis redis;
  private RedisKeys keys;
  private PushStatusStore store;
  private PushLifecycle lifecycle;

  @BeforeEach
  void open(TestEnv env) {
    redis = RedisConnections.open(RedisEndpoint.parse(env.redisUrl()), 4);
    keys = new RedisKeys(env.redisKeyPrefix());
    store = new PushStatusStore(redis, keys, Clock.systemUTC());
    lifecycle = store.lifecycle();
  }

  @AfterEach
  void close() {
    redis.close();
  }

  private static PushRequest push(PushId rid) {
    return new PushRequest(1, rid.requestId(), APP, "template", "TPL", null, Map.of("keyword1", "hi"), null, null, null,
        new PushRequest.Audience(List.of("u1"), null, null), null, null, null, null);
  }

  /** A status in {@code from} ('none': no status) with one target failed, a stop-free push, a resume time shown. */
  private PushId pushIn(String from) {
    PushId rid = new PushId(APP, "lc-" + UUID.randomUUID());
    if (!from.equals(PushTransition.NONE)) {
      redis.hset(keys.pushStatus(rid.appId(), rid.requestId()), Map.of("state", from, "appId", APP, "targets", "1", "failed", "1", "resumesAt", "123"));
      redis.pexpire(keys.pushStatus(rid.appId(), rid.requestId()), 60_000);
    }
    redis.hset(keys.pushOutcomes(rid.appId(), rid.requestId(), 0), RedisKeys.outcomeField("u1"), "f");
    redis.pexpire(keys.pushOutcomes(rid.appId(), rid.requestId(), 0), 60_000);
    return rid;
  }

  private Map<String, Consumer<PushId>> runs() {
    Map<String, Consumer<PushId>> runs = new HashMap<>();
    runs.put("accept", rid -> lifecycle.init(push(rid), Duration.ofMinutes(1), System.currentTimeMillis()));
    runs.put("schedule", rid -> lifecycle.schedule(rid));
    runs.put("start_run", rid -> lifecycle.startRun(rid, "r1", GRACE, 1));
    runs.put("page", rid -> lifecycle.page(rid, "", "1", 0));
    runs.put("fanout_done", rid -> lifecycle.fanoutDone(rid));
    runs.put("hold", rid -> lifecycle.hold(rid, Instant.now().plusSeconds(60)));
    runs.put("resume", rid -> lifecycle.resume(rid));
    runs.put("cancel", rid -> lifecycle.cancel(rid));
    runs.put("retry_round", rid -> lifecycle.retryRound(rid, 1, List.of("u1")));
    runs.put("finish", rid -> { // the last outcome of a finished fan-out
      if (redis.exists(keys.pushStatus(rid.appId(), rid.requestId()))) redis.hset(keys.pushStatus(rid.appId(), rid.requestId()), Map.of("fanoutDone", "1", "failed", "0"));
      store.recordOutcome(rid, new PushRun("r1", System.currentTimeMillis() + 60_000, 1), "u2", Outcome.SENT, null, GRACE);
    });
    runs.put("fail", rid -> lifecycle.fail(rid, "unreadable", Duration.ofMinutes(1)));
    return runs;
  }

  private Map<String, String> snapshot(PushId rid) {
    Map<String, String> all = new HashMap<>(redis.hgetAll(keys.pushStatus(rid.appId(), rid.requestId())));
    redis.hgetAll(keys.pushOutcomes(rid.appId(), rid.requestId(), 0)).forEach((k, v) -> all.put("bucket:" + k, v));
    return all;
  }

  @Test
  void everyTransitionTheTableAllowsHappensAndEveryOneItRefusesChangesNothing() {
    Map<String, Consumer<PushId>> runs = runs();
    assertThat(runs.keySet()).as("every transition is walked")
        .containsExactlyInAnyOrderElementsOf(Arrays.stream(PushTransition.values()).map(PushTransition::wire).toList());
    List<String> froms = new ArrayList<>(List.of(PushTransition.NONE));
    for (PushState s : PushState.values()) froms.add(s.wire());
    List<String> problems = new ArrayList<>();
    int allowed = 0;
    int refused = 0;
    for (PushTransition t : PushTransition.values()) {
      for (String from : froms) {
        PushId rid = pushIn(from);
        Map<String, String> before = snapshot(rid);
        try {
          runs.get(t.wire()).accept(rid);
        } catch (IllegalStateException e) { // refused where there is nothing to answer with (no status, no run)
          if (t.allowedFrom(from)) problems.add(t + " from " + from + " threw " + e);
        }
        String after = redis.hget(keys.pushStatus(rid.appId(), rid.requestId()), "state");
        if (t.allowedFrom(from)) {
          allowed++;
          if (after == null || !t.targets(from).contains(PushState.of(after).orElseThrow())) {
            problems.add(t + " from " + from + " left " + after + ", not one of " + t.targets(from));
          }
        } else {
          refused++;
          if (t == PushTransition.FINISH) { // the outcome itself is counted; the state stays
            if (!Objects.equals(before.get("state"), after)) problems.add(t + " from " + from + " moved to " + after);
          } else if (!snapshot(rid).equals(before)) {
            problems.add(t + " from " + from + " (refused) changed " + before + " into " + snapshot(rid));
          }
        }
      }
    }
    assertThat(problems).isEmpty();
    assertThat(allowed).isPositive();
    assertThat(refused).isPositive();
  }

  @Test
  void theFinalStatesAreLeftOnlyByARetryRound() {
    for (PushTransition t : PushTransition.values()) {
      for (PushState from : PushState.values()) {
        if (!from.isFinal() || !t.allowedFrom(from)) continue;
        assertThat(t).as("a move out of " + from).isEqualTo(PushTransition.RETRY_ROUND);
        assertThat(t.targets(from.wire())).containsExactly(PushState.SENDING);
      }
    }
  }

  @Test
  void aFanOutDoneWithOutcomesPendingSendsAndACancelledOneEndsCancelled() {
    PushId pending = pushIn(PushState.FANNING_OUT.wire());
    redis.hset(keys.pushStatus(pending.appId(), pending.requestId()), "failed", "0");
    assertThat(lifecycle.fanoutDone(pending)).isEqualTo(PushState.SENDING);
    PushId cancelled = pushIn(PushState.FANNING_OUT.wire());
    assertThat(lifecycle.cancel(cancelled)).isEqualTo(PushStatusStore.Cancel.CANCELLING);
    assertThat(lifecycle.fanoutDone(cancelled)).isEqualTo(PushState.CANCELLED);
    assertThat(redis.hget(keys.pushStatus(cancelled.appId(), cancelled.requestId()), "finishedAt")).isNotNull();
    PushId scheduled = pushIn(PushState.SCHEDULED.wire());
    assertThat(lifecycle.cancel(scheduled)).isEqualTo(PushStatusStore.Cancel.CANCELLED);
    assertThat(lifecycle.cancel(scheduled)).isEqualTo(PushStatusStore.Cancel.FINAL);
    assertThat(lifecycle.cancel(new PushId(APP, "lc-none-" + UUID.randomUUID()))).isEqualTo(PushStatusStore.Cancel.MISSING);
  }

  @Test
  void aRunIsNotStartedForAPushWithoutAStatus() {
    PushId rid = new PushId(APP, "lc-" + UUID.randomUUID());
    assertThatThrownBy(() -> store.startRun(rid, GRACE, 1)).isInstanceOf(IllegalStateException.class);
    assertThat(redis.exists(keys.pushStatus(rid.appId(), rid.requestId()))).as("no status recreated without a TTL").isFalse();
  }

  @Test
  void aLateSendEventAndAFailFastMarkLeaveNoKeyWithoutATtl() {
    PushId rid = pushIn(PushState.SENDING.wire());
    assertThat(store.countLate(rid, "async_43101")).isTrue();
    assertThat(redis.pttl(keys.pushReasons(rid.appId(), rid.requestId()))).as("the reasons hash a late event created").isPositive();
    PushId gone = new PushId(APP, "lc-gone-" + UUID.randomUUID());
    assertThat(store.countLate(gone, "async_43101")).isFalse();
    store.failFast(gone, "40037");
    assertThat(redis.exists(keys.pushReasons(gone.appId(), gone.requestId()))).isFalse();
    assertThat(redis.exists(keys.pushStatus(gone.appId(), gone.requestId()))).isFalse();
  }
}
