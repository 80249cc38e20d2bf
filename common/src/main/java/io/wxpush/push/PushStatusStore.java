package io.wxpush.push;

import io.wxpush.json.Json;
import io.wxpush.redis.RedisBatcher;
import io.wxpush.redis.RedisKeys;
import io.wxpush.redis.RedisScript;
import io.wxpush.redis.StoreUnavailableException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.params.SetParams;

/**
 * The state of every push in Redis: its status counters, the per-user outcomes that make each
 * counter exact under redelivery, the fan-out's resume cursor, and the fail-fast mark. All keys
 * of one push share the hash tag {@code {requestId}}. Thread-safe; every method blocks on Redis.
 */
public final class PushStatusStore {
  /** How long a push's state is kept after it was accepted. */
  public static final Duration RETENTION = Duration.ofDays(8);

  private static final RedisScript OUTCOME = RedisScript.load(PushStatusStore.class, "push-outcome.lua");
  private static final RedisScript PAGE = RedisScript.load(PushStatusStore.class, "push-page.lua");
  private static final RedisScript FANOUT_DONE = RedisScript.load(PushStatusStore.class, "push-fanout-done.lua");

  private final UnifiedJedis redis;
  private final RedisKeys keys;
  private final Clock clock;
  /** Per-user reads and outcomes go through it when set (senders: many at once); null for direct calls. */
  private final RedisBatcher batcher;

  public PushStatusStore(UnifiedJedis redis, RedisKeys keys, Clock clock) {
    this(redis, null, keys, clock);
  }

  /** As above, with the per-user outcomes ({@link #recordOutcome}) pipelined through {@code batcher}. */
  public PushStatusStore(UnifiedJedis redis, RedisBatcher batcher, RedisKeys keys, Clock clock) {
    this.batcher = batcher;
    this.redis = redis;
    this.keys = keys;
    this.clock = clock;
  }

  private String status(String requestId) {
    return keys.pushStatus(requestId);
  }

  private String reasons(String requestId) {
    return keys.pushReasons(requestId);
  }

  private String outcomes(String requestId) {
    return keys.pushOutcomes(requestId);
  }

  private String request(String requestId) {
    return keys.pushRequest(requestId);
  }

  /**
   * Claims {@code requestId} for {@code push}: true the first time, false when a push with this
   * id was accepted before (the same id twice is one push).
   */
  public boolean accept(PushRequest push) {
    return StoreUnavailableException.around("accepting push " + push.requestId(), () -> acceptNow(push));
  }

  private boolean acceptNow(PushRequest push) {
    String reply = redis.set(request(push.requestId()), Json.writeString(push), SetParams.setParams().nx().px(RETENTION.toMillis()));
    if (reply == null) return false;
    initStatus(push);
    return true;
  }

  /** Forgets an accepted request that could not be published, so the client may retry it. */
  public void forget(String requestId) {
    StoreUnavailableException.around("forgetting push " + requestId, () -> redis.del(request(requestId), status(requestId)));
  }

  /** Creates the status record if missing (a request published straight to Kafka has none yet). */
  public void initStatus(PushRequest push) {
    String key = status(push.requestId());
    if (redis.hsetnx(key, "state", "accepted") == 1) {
      redis.hset(key, Map.of("appId", push.appId(), "kind", push.kind(), "templateId", push.templateId(),
          "createdAt", Long.toString(clock.millis()), "targets", "0"));
      redis.pexpire(key, RETENTION.toMillis());
    }
  }

  /** The fan-out's resume cursor ('' at the start), and whether the fan-out already finished. */
  public record FanoutProgress(String cursor, boolean done) {}

  public FanoutProgress fanoutProgress(String requestId) {
    List<String> v = redis.hmget(status(requestId), "cursor", "fanoutDone");
    return new FanoutProgress(v.get(0) == null ? "" : v.get(0), "1".equals(v.get(1)));
  }

  /** Records a published page; false when another fan-out already moved the cursor past {@code from}. */
  public boolean recordPage(String requestId, String from, String to, int users) {
    Object reply = PAGE.eval(redis, List.of(status(requestId)), List.of(from, to, Integer.toString(users)));
    return ((Long) reply) == 1L;
  }

  /** Marks the fan-out finished; returns the state it leaves ({@code sending} or {@code done}). */
  public String finishFanout(String requestId) {
    String state = (String) FANOUT_DONE.eval(redis, List.of(status(requestId)), List.of());
    return state;
  }

  /**
   * Records a user's final outcome, once. Returns false when the user already had one (nothing
   * is counted twice).
   *
   * @param reason why it failed or had no credential (an errcode or a short code); null for none
   */
  public boolean recordOutcome(String requestId, String openId, Outcome outcome, String reason) {
    List<String> keys = List.of(status(requestId), reasons(requestId), outcomes(requestId));
    List<String> args = List.of(openId, outcome.code(), outcome.field(), reason == null ? "" : reason);
    Object reply = batcher != null ? batcher.eval(OUTCOME, keys, args) : OUTCOME.eval(redis, keys, args);
    return ((Long) reply) == 1L;
  }

  /**
   * Every user's final outcome code of a push (openId → {@link Outcome#code()}), for audits and
   * tests; one read of the whole per-user record, so not for large pushes on a hot path.
   */
  public Map<String, String> userOutcomes(String requestId) {
    return redis.hgetAll(outcomes(requestId));
  }

  /** Marks the whole push as failed (a request-level WeChat error): no more credentials are spent on it. */
  public void failFast(String requestId, String reason) {
    redis.hsetnx(status(requestId), "failFast", reason);
  }

  /** The reason the push was failed as a whole, if it was. */
  public Optional<String> failedFast(String requestId) {
    return Optional.ofNullable(redis.hget(status(requestId), "failFast"));
  }

  public Optional<PushStatus> read(String requestId) {
    return StoreUnavailableException.around("reading push " + requestId, () -> readNow(requestId));
  }

  private Optional<PushStatus> readNow(String requestId) {
    Map<String, String> s = redis.hgetAll(status(requestId));
    if (s.isEmpty()) return Optional.empty();
    long targets = number(s, "targets");
    long sent = number(s, "sent");
    long none = number(s, "noCredential");
    long failed = number(s, "failed");
    long unknown = number(s, "unknown");
    Map<String, Long> byReason = new TreeMap<>();
    redis.hgetAll(reasons(requestId)).forEach((k, v) -> byReason.put(k, Long.parseLong(v)));
    String state = s.getOrDefault("state", "accepted");
    long pending = Math.max(0, targets - sent - none - failed - unknown);
    return Optional.of(new PushStatus(requestId, state, targets, sent, none, failed, unknown, pending, byReason));
  }

  private static long number(Map<String, String> s, String field) {
    String v = s.get(field);
    return v == null ? 0 : Long.parseLong(v);
  }
}
