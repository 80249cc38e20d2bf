package io.wxpush.push;

import io.wxpush.redis.RedisKeys;
import java.util.Optional;

/**
 * What the fan-out stamps on every task of one push, so that every sender keeps that push's per-user
 * state the same way: its short id in the users' pools, the horizon after which no (push, user) is
 * begun, and how many buckets its per-user outcomes are spread over.
 *
 * @param id the push's short id (issued once per push by the app's {@code seq} counter, base 36)
 * @param untilMs Redis time (ms) after which a task of this push that finds no ledger entry for its
 *     user sends nothing: the fan-out's start plus {@code LEDGER_GRACE}; final ledger entries are
 *     kept at least this long, so a redelivered task always finds its user's entry
 * @param outcomeBuckets a power of two, at most {@link io.wxpush.redis.RedisKeys#INDEX_SHARDS}
 */
public record PushRun(String id, long untilMs, int outcomeBuckets) {
  public PushRun {
    if (id == null || id.isEmpty() || id.indexOf(' ') >= 0) throw new IllegalArgumentException("bad push id");
    if (Integer.bitCount(outcomeBuckets) != 1) throw new IllegalArgumentException("outcomeBuckets must be a power of two");
  }

  /** The run as one string, {@code id|untilMs|buckets} (kept with a user held in quiet hours: released under it). */
  public String wire() {
    return id + "|" + untilMs + "|" + outcomeBuckets;
  }

  /** The run of a {@link #wire()} string; empty for anything else (a user held before runs were kept: ''). */
  public static Optional<PushRun> parse(String wire) {
    if (wire == null) return Optional.empty();
    String[] p = wire.split("\\|", -1);
    if (p.length != 3) return Optional.empty();
    try {
      return Optional.of(new PushRun(p[0], Long.parseLong(p[1]), Integer.parseInt(p[2])));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /** Buckets for an audience of {@code users}: about 64 users each (a listpack), a power of two. */
  public static int bucketsFor(long users) {
    long want = Math.max(1, (users + 63) / 64);
    int buckets = Integer.highestOneBit((int) Math.min(RedisKeys.INDEX_SHARDS, want));
    return buckets < want && buckets < RedisKeys.INDEX_SHARDS ? buckets * 2 : buckets;
  }
}
