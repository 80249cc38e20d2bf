package io.wxpush.push;

import io.wxpush.client.PushRequest;
import io.wxpush.redis.RedisBatcher;
import io.wxpush.redis.RedisKeys;
import io.wxpush.redis.RedisScript;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import redis.clients.jedis.UnifiedJedis;

/**
 * The one owner of a push's state (BRIEF rule 10): every transition of {@link PushTransition}'s table
 * runs here, as a push script built on {@code push-lib.lua} (the table rendered before it), so no other
 * class and no other script writes a push's {@code state} or decides that it is final. The other push
 * classes call it ({@link PushStatusStore}, {@link PushRetries}, {@code QuietHolds}). Thread-safe;
 * every method blocks on Redis.
 */
public final class PushLifecycle {
  private static final RedisScript ACCEPT = script("push-accept.lua");
  private static final RedisScript INIT = script("push-init.lua");
  private static final RedisScript SCHEDULE = script("push-schedule.lua");
  private static final RedisScript RUN = script("push-run.lua");
  private static final RedisScript PAGE = script("push-page.lua");
  private static final RedisScript FANOUT_DONE = script("push-fanout-done.lua");
  private static final RedisScript OUTCOME = script("push-outcome.lua");
  private static final RedisScript OUTCOMES = script("push-outcomes.lua");
  private static final RedisScript HOLD_USER = script("push-hold.lua");
  private static final RedisScript WAIT = script("push-wait.lua");
  private static final RedisScript RESUME = script("push-resume.lua");
  private static final RedisScript CANCEL = script("push-cancel.lua");
  private static final RedisScript RETRY_ROUND = script("push-retry-reset.lua");
  private static final RedisScript FAIL = script("push-fail.lua");

  private final UnifiedJedis redis;
  private final RedisBatcher batcher;
  private final RedisKeys keys;

  /** @param batcher per-user outcomes go through it when set (senders: many at once); null for direct calls */
  public PushLifecycle(UnifiedJedis redis, RedisBatcher batcher, RedisKeys keys) {
    this.redis = redis;
    this.batcher = batcher;
    this.keys = keys;
  }

  /** A push script with the table and {@code push-lib.lua} before it. */
  static RedisScript script(String resource) {
    return RedisScript.load(PushTransition.luaTable(), PushLifecycle.class, "push-lib.lua", PushLifecycle.class, resource);
  }

  private String status(PushId id) {
    return keys.pushStatus(id.appId(), id.requestId());
  }

  /** ACCEPT through the API (see {@code push-accept.lua}); the reply: new, republish, replay or conflict. */
  String accept(String marker, PushId id, List<String> args) {
    return (String) ACCEPT.eval(redis, List.of(marker, status(id)), args);
  }

  /** ACCEPT of a request published straight to Kafka; true when the status was created now. */
  boolean init(PushRequest push, Duration retention, long nowMs) {
    return (Long) INIT.eval(redis, List.of(status(PushId.of(push))), List.of(Long.toString(retention.toMillis()), push.appId(), push.kind(),
        push.templateId(), Long.toString(nowMs))) == 1L;
  }

  /** SCHEDULE; false when refused (it has begun, or is final). */
  boolean schedule(PushId id) {
    return (Long) SCHEDULE.eval(redis, List.of(status(id)), List.of()) == 1L;
  }

  /**
   * START_RUN: the run as stamped (see {@code push-run.lua}).
   *
   * @throws IllegalStateException when the push has no stamp and may not start (no status, or final)
   */
  PushRun startRun(PushId id, String freshId, Duration grace, int outcomeBuckets) {
    @SuppressWarnings("unchecked")
    List<Object> r = (List<Object>) RUN.eval(redis, List.of(status(id)),
        List.of(freshId, Long.toString(grace.toMillis()), Integer.toString(outcomeBuckets)));
    if (!(r.get(0) instanceof String runId)) throw new IllegalStateException("push " + id + " has no run and may not start one");
    return new PushRun(runId, (Long) r.get(1), ((Long) r.get(2)).intValue());
  }

  /** PAGE; false when the cursor had moved past {@code from} or the push is final. */
  boolean page(PushId id, String from, String to, int users) {
    return (Long) PAGE.eval(redis, List.of(status(id)), List.of(from, to, Integer.toString(users))) == 1L;
  }

  /**
   * FANOUT_DONE; the state it leaves the push in.
   *
   * @throws IllegalStateException for a push without a status
   */
  PushState fanoutDone(PushId id) {
    String state = (String) FANOUT_DONE.eval(redis, List.of(status(id)), List.of());
    return PushState.of(state).orElseThrow(() -> new IllegalStateException("push " + id + " has no status"));
  }

  /** A user's outcome, then FINISH (see {@code push-outcome.lua}); true when recorded or upgraded now. */
  boolean outcome(List<String> keys, List<String> args) {
    Object reply = batcher != null ? batcher.eval(OUTCOME, keys, args) : OUTCOME.eval(redis, keys, args);
    return ((Long) reply) == 1L;
  }

  /** Many users' outcomes, then FINISH (see {@code push-outcomes.lua}); per user, true when recorded or upgraded now. */
  @SuppressWarnings("unchecked")
  List<Long> outcomes(List<String> keys, List<String> args) {
    return (List<Long>) (batcher != null ? batcher.eval(OUTCOMES, keys, args) : OUTCOMES.eval(redis, keys, args));
  }

  /**
   * HOLD for one user's task: the user, with the run its task carries, in the push's held bucket
   * {@code bucket} for {@code keep}, and the push waiting until {@code resumesAt}.
   */
  public void holdUser(PushTask task, int bucket, Duration keep, Instant resumesAt) {
    PushRun run = task.pushRun().orElseThrow();
    HOLD_USER.eval(redis, List.of(keys.held(task.appId(), task.requestId(), bucket), keys.heldBuckets(task.appId(), task.requestId()), status(PushId.of(task))),
        List.of(task.openId(), Integer.toString(bucket), Long.toString(keep.toMillis()), Long.toString(resumesAt.toEpochMilli()),
            run.wire()));
  }

  /** HOLD: the push waits until {@code resumesAt} (a fan-out paused, or the window moved); false when refused. */
  public boolean hold(PushId id, Instant resumesAt) {
    return (Long) WAIT.eval(redis, List.of(status(id)), List.of(Long.toString(resumesAt.toEpochMilli()))) == 1L;
  }

  /** RESUME: the push no longer shows a resume time; false when refused. */
  public boolean resume(PushId id) {
    return (Long) RESUME.eval(redis, List.of(status(id)), List.of()) == 1L;
  }

  /** CANCEL (see {@code push-cancel.lua}). */
  PushStatusStore.Cancel cancel(PushId id) {
    return PushStatusStore.Cancel.valueOf(((String) CANCEL.eval(redis, List.of(status(id)), List.of())).toUpperCase(Locale.ROOT));
  }

  /** RETRY_ROUND for {@code openIds}: how many failed outcomes were taken back; -1 when refused. */
  long retryRound(PushId id, int outcomeBuckets, List<String> openIds) {
    List<String> k = new ArrayList<>(openIds.size() + 1);
    List<String> fields = new ArrayList<>(openIds.size());
    k.add(status(id));
    for (String openId : openIds) {
      k.add(keys.pushOutcomes(id.appId(), id.requestId(), RedisKeys.bucketOf(openId, outcomeBuckets)));
      fields.add(RedisKeys.outcomeField(openId));
    }
    return (Long) RETRY_ROUND.eval(redis, k, fields);
  }

  /** FAIL with {@code reason}; false when refused (final already). */
  boolean fail(PushId id, String reason, Duration retention) {
    return (Long) FAIL.eval(redis, List.of(status(id)), List.of(reason, id.appId(), Long.toString(retention.toMillis()))) == 1L;
  }
}
