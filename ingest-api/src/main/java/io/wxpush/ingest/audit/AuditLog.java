package io.wxpush.ingest.audit;

import io.wxpush.json.Json;
import io.wxpush.redis.RedisKeys;
import io.wxpush.redis.RedisScript;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import redis.clients.jedis.UnifiedJedis;

/**
 * The recent audit records of each app in Redis ({@link RedisKeys.Family#AUDIT}), for
 * {@code GET /v1/audit}: a stream per app holding at most about {@link #MAX_PER_APP} records and
 * none older than {@link #KEEP} (the topic {@code wxpush.audit} keeps the rest), newest first by
 * cursor. Ages are by Redis's clock, the one that stamps the entries' ids (so that the instances'
 * clocks need not agree); a record's {@code at} is its instance's. Thread-safe; every call is one
 * Redis round trip.
 */
public final class AuditLog {
  /** Records kept per app: about 2 MB of Redis at ~200 bytes each (trimming is approximate, a few more may stay). */
  public static final int MAX_PER_APP = 10_000;
  /** How far back {@code GET /v1/audit} reads. */
  public static final Duration KEEP = Duration.ofDays(30);

  private static final RedisScript APPEND = RedisScript.load(AuditLog.class, "audit-append.lua");
  private static final RedisScript PAGE = RedisScript.load(AuditLog.class, "audit-page.lua");

  private final UnifiedJedis redis;
  private final RedisKeys keys;

  public AuditLog(UnifiedJedis redis, RedisKeys keys) {
    this.redis = redis;
    this.keys = keys;
  }

  /** Appends {@code record} to its app's stream; returns its id. */
  public String append(AuditRecord record) {
    Object id = APPEND.eval(redis, List.of(keys.audit(record.app())), List.of(Integer.toString(MAX_PER_APP),
        Long.toString(KEEP.toMillis()), Json.writeString(record.toJson())));
    return text(id);
  }

  /** One page of an app's records, newest first, and the cursor of the next page when there may be more. */
  public record Page(List<AuditRecord> records, Optional<String> nextCursor) {}

  /**
   * Up to {@code limit} records of {@code app} older than {@code cursor} (null: the newest),
   * none older than {@link #KEEP}.
   */
  public Page page(String app, String cursor, int limit) {
    String end = cursor == null ? "+" : "(" + cursor;
    List<?> entries = (List<?>) PAGE.eval(redis, List.of(keys.audit(app)), List.of(end, Integer.toString(limit + 1),
        Long.toString(KEEP.toMillis())));
    List<AuditRecord> records = new ArrayList<>();
    String lastId = null;
    for (int i = 0; i < Math.min(limit, entries.size()); i++) {
      List<?> entry = (List<?>) entries.get(i); // {id, {'r', json}}
      lastId = text(entry.get(0));
      records.add(AuditRecord.decode(text(((List<?>) entry.get(1)).get(1)).getBytes(StandardCharsets.UTF_8)));
    }
    return new Page(records, entries.size() > limit ? Optional.of(lastId) : Optional.empty());
  }

  private static String text(Object reply) {
    return reply instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : String.valueOf(reply);
  }

  /** True when {@code cursor} has the shape of a stream id this log hands out ({@code ms-seq}). */
  public static boolean isCursor(String cursor) {
    return cursor.matches("[0-9]{1,15}-[0-9]{1,19}");
  }
}
