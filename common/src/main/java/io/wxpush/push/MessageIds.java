package io.wxpush.push;

import io.wxpush.redis.RedisConnections;
import io.wxpush.redis.RedisKeys;
import io.wxpush.redis.RedisScript;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.UnifiedJedis;

/**
 * Which push sent a subscribe message, by WeChat's {@code msgid}: written when a send is answered
 * ok, read (and taken: the push is replaced by {@code -}, so WeChat's retries of one event count
 * once, and a taken msgid is still known to have been learned) when a
 * {@code subscribe_msg_sent_event} reports a late failure; looked up ({@link #known}) when one
 * reports a delivery, to tell a message whose answer wxpush saw from one whose answer was lost. Kept one hash per app, shard and hour
 * ({@link RedisKeys#messageIds}), each expiring {@code LEDGER_GRACE} plus an hour after its hour:
 * Redis 7.0 has no per-field TTL, so whole hours expire. About 60 bytes per message while kept.
 * Thread-safe.
 */
public final class MessageIds {
  /** Shards of an app's hour: at a million messages an hour, about 250 a shard (raise {@code hash-max-listpack-entries} to keep them compact). */
  public static final int SHARDS = 4096;
  private static final long HOUR = Duration.ofHours(1).toMillis();
  private static final String TAKEN = "-";
  private static final RedisScript TAKE = RedisScript.load(MessageIds.class, "message-take.lua");

  private final UnifiedJedis redis;
  private final RedisKeys keys;
  private final Duration grace;
  private final Clock clock;

  public MessageIds(UnifiedJedis redis, RedisKeys keys, Duration grace, Clock clock) {
    this.redis = redis;
    this.keys = keys;
    this.grace = grace;
    this.clock = clock;
  }

  private static int shard(long msgid) {
    return (int) Math.floorMod(msgid, (long) SHARDS);
  }

  public void remember(String appId, long msgid, String requestId) {
    long hour = clock.millis() / HOUR;
    String key = keys.messageIds(appId, shard(msgid), hour);
    try (AbstractPipeline p = RedisConnections.pipelined(redis)) {
      p.hset(key, Long.toString(msgid), requestId);
      p.pexpireAt(key, (hour + 1) * HOUR + grace.toMillis() + HOUR);
      p.sync();
    }
  }

  /**
   * The push that sent {@code msgid}, taken (a repeat finds nothing to take); empty when unknown,
   * already taken, or past the grace.
   */
  public Optional<String> take(String appId, long msgid) {
    for (long h : hours()) {
      Object rid = TAKE.eval(redis, List.of(keys.messageIds(appId, shard(msgid), h)), List.of(Long.toString(msgid)));
      if (rid != null) return TAKEN.equals(rid) ? Optional.empty() : Optional.of((String) rid);
    }
    return Optional.empty();
  }

  /** True when wxpush learned {@code msgid} from a send's answer (taken or not) within the grace. */
  public boolean known(String appId, long msgid) {
    for (long h : hours()) if (redis.hexists(keys.messageIds(appId, shard(msgid), h), Long.toString(msgid))) return true;
    return false;
  }

  /** The hours a msgid may be kept under, newest first. */
  private List<Long> hours() {
    long now = clock.millis() / HOUR;
    long span = grace.toMillis() / HOUR + 2;
    List<Long> out = new ArrayList<>();
    for (long h = now; h >= now - span; h--) out.add(h);
    return out;
  }
}
