package io.wxpush.policy;

import io.wxpush.push.PushId;
import io.wxpush.push.PushLifecycle;
import io.wxpush.push.PushRun;
import io.wxpush.push.PushStatusStore;
import io.wxpush.push.PushTask;
import io.wxpush.redis.RedisKeys;
import io.wxpush.redis.RedisScript;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.resps.Tuple;

/**
 * Pushes waiting for the end of their app's quiet hours, in Redis. A fan-out that meets the window
 * stops between pages and puts its push here ({@link #pause}); a sender that takes a task inside the
 * window holds it here ({@link #hold}: its user in one of the push's held buckets, a few bytes) and
 * acknowledges it, so waiting spends no broker delivery and holds no consumer. The fan-out role
 * resumes each push when the window ends under the app's policy as it stands then, so a window moved
 * or removed takes effect within seconds: its fan-out goes on from its cursor and its held users get
 * their tasks again. Thread-safe; blocking.
 */
public final class QuietHolds {
  private static final RedisScript RESUMED = RedisScript.load(QuietHolds.class, "quiet-resumed.lua");

  private final UnifiedJedis redis;
  private final RedisKeys keys;
  /** The push's status moves (held, waiting, resumed) through its one owner. */
  private final PushLifecycle lifecycle;

  public QuietHolds(UnifiedJedis redis, RedisKeys keys) {
    this.redis = redis;
    this.keys = keys;
    this.lifecycle = new PushLifecycle(redis, null, keys);
  }

  /**
   * A sender holds back {@code task} (stamped with its run) until the window ends at {@code resumesAt}:
   * its user is kept with the task's run (a retry round's own run), and released under it.
   */
  public void hold(PushTask task, Instant resumesAt) {
    int buckets = task.pushRun().orElseThrow().outcomeBuckets();
    int bucket = RedisKeys.bucketOf(task.openId(), buckets);
    // a hash, not a set: a small one is a listpack on every Redis 7 (small sets only from 7.2)
    lifecycle.holdUser(task, bucket, PushStatusStore.RETENTION, resumesAt);
    redis.zincrby(keys.quiet(task.appId()), 1, task.requestId()); // after the user is held: a resume that read the old mark comes back
  }

  /**
   * Puts the push among its app's waiting pushes (a fresh mark each time, so a resume that read an
   * older one takes it off only if nothing was held since), and its status says {@code sending}
   * with {@code resumesAt}.
   */
  public void pause(String appId, String requestId, Instant resumesAt) {
    redis.zincrby(keys.quiet(appId), 1, requestId);
    lifecycle.hold(new PushId(appId, requestId), resumesAt);
  }

  /** A waiting push and its mark: how many times it was paused or held, so any later hold changes it. */
  public record Waiting(String requestId, long mark) {}

  /** The app's waiting pushes. */
  public List<Waiting> waiting(String appId) {
    List<Waiting> w = new ArrayList<>();
    for (Tuple t : redis.zrangeWithScores(keys.quiet(appId), 0, -1)) w.add(new Waiting(t.getElement(), (long) t.getScore()));
    return w;
  }

  /** The push is resumed (its resume record is on Kafka): off the waiting list, unless it was held again since {@code w} was read. */
  public void resumed(String appId, Waiting w) {
    RESUMED.eval(redis, List.of(keys.quiet(appId)), List.of(w.requestId(), Long.toString(w.mark())));
  }

  /** Shows a new end of the window on a waiting push's status (the policy changed). */
  public void moveResume(PushId id, Instant resumesAt) {
    lifecycle.hold(id, resumesAt);
  }

  /** The buckets of the push that hold users. */
  public List<Integer> heldBuckets(PushId id) {
    return redis.smembers(keys.heldBuckets(id.appId(), id.requestId())).stream().map(Integer::parseInt).sorted().toList();
  }

  /** The users held in one bucket. */
  public List<String> held(PushId id, int bucket) {
    return new ArrayList<>(redis.hkeys(keys.held(id.appId(), id.requestId(), bucket)));
  }

  /**
   * The users held in one bucket, grouped by the run their task carried ({@link PushRun#wire()});
   * users held before runs were kept are under the empty key (released under the push's own run).
   */
  public Map<String, List<String>> heldByRun(PushId id, int bucket) {
    Map<String, List<String>> byRun = new TreeMap<>();
    redis.hgetAll(keys.held(id.appId(), id.requestId(), bucket)).forEach((openId, run) -> byRun.computeIfAbsent(run, r -> new ArrayList<>()).add(openId));
    return byRun;
  }

  /** {@code openIds} of the bucket have their tasks published again; an emptied bucket leaves the list. */
  public void released(PushId id, int bucket, List<String> openIds) {
    String held = keys.held(id.appId(), id.requestId(), bucket);
    if (!openIds.isEmpty()) redis.hdel(held, openIds.toArray(String[]::new));
    if (redis.hlen(held) == 0) redis.srem(keys.heldBuckets(id.appId(), id.requestId()), Integer.toString(bucket));
  }

  /** The push goes on: its status no longer shows a resume time. */
  public void clearResume(PushId id) {
    lifecycle.resume(id);
  }
}
