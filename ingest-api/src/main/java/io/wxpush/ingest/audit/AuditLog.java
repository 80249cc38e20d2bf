package io.wxpush.ingest.audit;

import io.wxpush.json.Json;
import io.wxpush.redis.RedisKeys;
import io.wxpush.redis.RedisScript;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.resps.StreamEntry;

/**
 * The recent audit records of each app in Redis ({@link RedisKeys.Family#AUDIT}), for
 * {@code GET /v1/audit}: a stream per app holding at most about {@link #MAX_PER_APP} records and
 * none older than {@link #KEEP} (the topic {@code wxpush.audit} keeps the rest), newest first by
 * cursor. Thread-safe; every call is one Redis round trip.
 */
public final class AuditLog {
  /** Records kept per app: about 2 MB of Redis at ~200 bytes each (trimming is approximate, a few more may stay). */
  public static final int MAX_PER_APP = 10_000;
  /** How far back {@code GET /v1/audit} reads. */
  public static final Duration KEEP = Duration.ofDays(30);

  private static final RedisScript APPEND = RedisScript.load(AuditLog.class, "audit-append.lua");

  private final UnifiedJedis redis;
  private final RedisKeys keys;
  private final Clock clock;

  public AuditLog(UnifiedJedis redis, RedisKeys keys, Clock clock) {
    this.redis = redis;
    this.keys = keys;
    this.clock = clock;
  }

  /** Appends {@code record} to its app's stream; returns its id. */
  public String append(AuditRecord record) {
    long oldest = clock.millis() - KEEP.toMillis();
    Object id = APPEND.eval(redis, List.of(keys.audit(record.app())), List.of(Integer.toString(MAX_PER_APP), Long.toString(oldest),
        Long.toString(KEEP.toMillis()), Json.writeString(record.toJson())));
    return id instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : String.valueOf(id);
  }

  /** One page of an app's records, newest first, and the cursor of the next page when there may be more. */
  public record Page(List<AuditRecord> records, Optional<String> nextCursor) {}

  /**
   * Up to {@code limit} records of {@code app} older than {@code cursor} (null: the newest),
   * none older than {@link #KEEP}.
   */
  public Page page(String app, String cursor, int limit) {
    String end = cursor == null ? "+" : "(" + cursor;
    String start = Long.toString(Math.max(0, clock.millis() - KEEP.toMillis()));
    List<StreamEntry> entries = redis.xrevrange(keys.audit(app), end, start, limit + 1);
    List<AuditRecord> records = new ArrayList<>();
    for (int i = 0; i < Math.min(limit, entries.size()); i++) {
      records.add(AuditRecord.decode(entries.get(i).getFields().get("r").getBytes(StandardCharsets.UTF_8)));
    }
    Optional<String> next = entries.size() > limit ? Optional.of(entries.get(limit - 1).getID().toString()) : Optional.empty();
    return new Page(records, next);
  }

  /** True when {@code cursor} has the shape of a stream id this log hands out ({@code ms-seq}). */
  public static boolean isCursor(String cursor) {
    return cursor.matches("[0-9]{1,15}-[0-9]{1,19}");
  }
}
