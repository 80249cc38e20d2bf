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
import redis.clients.jedis.params.ZAddParams;
import redis.clients.jedis.resps.Tuple;

/**
 * The state of every push in Redis: its status counters, the per-user outcomes that make each
 * counter exact under redelivery (bucketed, kept for {@code LEDGER_GRACE}), the fan-out's resume
 * cursor, the run stamp ({@link PushRun}), and the fail-fast mark. All keys
 * of one push share the hash tag {@code {requestId}}. Thread-safe; every method blocks on Redis.
 */
public final class PushStatusStore {
  /** How long a push's state is kept after it was accepted. */
  public static final Duration RETENTION = Duration.ofDays(8);

  private static final RedisScript OUTCOME = RedisScript.load(PushStatusStore.class, "push-outcome.lua");
  private static final RedisScript PAGE = RedisScript.load(PushStatusStore.class, "push-page.lua");
  private static final RedisScript FANOUT_DONE = RedisScript.load(PushStatusStore.class, "push-fanout-done.lua");
  private static final RedisScript RUN = RedisScript.load(PushStatusStore.class, "push-run.lua");
  private static final RedisScript ACCEPT = RedisScript.load(PushStatusStore.class, "push-accept.lua");
  private static final RedisScript PUBLISHED = RedisScript.load(PushStatusStore.class, "push-published.lua");
  private static final RedisScript CANCEL = RedisScript.load(PushStatusStore.class, "push-cancel.lua");

  private final UnifiedJedis redis;
  private final RedisKeys keys;
  private final Clock clock;
  /** Per-user reads and outcomes go through it when set (senders: many at once); null for direct calls. */
  private final RedisBatcher batcher;
  private final PushRetries retries;

  public PushStatusStore(UnifiedJedis redis, RedisKeys keys, Clock clock) {
    this(redis, null, keys, clock);
  }

  /** As above, with the per-user outcomes ({@link #recordOutcome}) pipelined through {@code batcher}. */
  public PushStatusStore(UnifiedJedis redis, RedisBatcher batcher, RedisKeys keys, Clock clock) {
    this.batcher = batcher;
    this.redis = redis;
    this.keys = keys;
    this.clock = clock;
    this.retries = new PushRetries(redis, keys);
  }

  private String status(String requestId) {
    return keys.pushStatus(requestId);
  }

  private String reasons(String requestId) {
    return keys.pushReasons(requestId);
  }

  /** The user's field in its outcome bucket: 64 bits of SHA-256 of the openId, base64url (11 characters, not 28). */
  static String userField(String openId) {
    try {
      byte[] d = java.security.MessageDigest.getInstance("SHA-256").digest(openId.getBytes(java.nio.charset.StandardCharsets.UTF_8));
      return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(java.util.Arrays.copyOf(d, 8));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private String request(String requestId) {
    return keys.pushRequest(requestId);
  }

  /** What a {@code POST /v1/pushes} with a requestId already seen (or not) is. */
  public enum Acceptance {
    /** First seen: publish it. */
    NEW,
    /** Seen with the same body, not known to be published (its first answer was a 503, or lost): publish it again. */
    REPUBLISH,
    /** Seen with the same body and published: answer as the first time. */
    REPLAY,
    /** Seen with another body: refuse, change nothing. */
    CONFLICT
  }

  /**
   * Accepts {@code push} in two phases (see {@code push-accept.lua}): the marker is "publishing"
   * with the body's hash until {@link #published} says Kafka has it.
   */
  public Acceptance accept(PushRequest push) {
    return StoreUnavailableException.around("accepting push " + push.requestId(), () -> {
      long now = clock.millis();
      String reply = (String) ACCEPT.eval(redis, List.of(request(push.requestId()), status(push.requestId())),
          List.of(bodyHash(push), Long.toString(RETENTION.toMillis()), push.appId(), push.kind(), push.templateId(),
              Long.toString(now), push.scheduledAfter(now) ? "scheduled" : "accepted"));
      Acceptance seen = Acceptance.valueOf(reply.toUpperCase(java.util.Locale.ROOT));
      if (seen == Acceptance.NEW) listed(push.appId(), push.requestId(), now);
      return seen;
    });
  }

  /** Puts a push in its app's list (newest last), trimming what is older than the statuses kept. */
  private void listed(String appId, String requestId, long now) {
    String list = keys.pushList(appId);
    redis.zadd(list, now, requestId, ZAddParams.zAddParams().nx());
    redis.zremrangeByScore(list, Double.NEGATIVE_INFINITY, now - RETENTION.toMillis());
  }

  /**
   * Keeps a push whose {@code sendAt} is ahead until then: its body beside its marker, its id in the
   * app's schedule (which {@link #due} reads), its state {@code scheduled}. Idempotent.
   */
  public void schedule(PushRequest push) {
    rememberBody(push);
    String state = redis.hget(status(push.requestId()), "state");
    if (state == null || state.equals("accepted")) redis.hset(status(push.requestId()), "state", "scheduled");
    listed(push.appId(), push.requestId(), clock.millis());
    redis.zadd(keys.schedule(push.appId()), push.sendAt(), push.requestId());
  }

  /**
   * Keeps what was asked beside the push's status, for its page in the console (once: the first
   * description stays): the message, the audience (listed users as a count and the first few),
   * priority, sendAt and notAfter.
   */
  public void describe(PushRequest push) {
    Map<String, Object> d = new java.util.LinkedHashMap<>();
    d.put("kind", push.kind());
    d.put("templateId", push.templateId());
    if (push.page() != null) d.put("page", push.page());
    d.put("data", push.data());
    if (push.emphasisKeyword() != null) d.put("emphasisKeyword", push.emphasisKeyword());
    Map<String, Object> audience = new java.util.LinkedHashMap<>();
    if (push.audience().everyone()) audience.put("all", true);
    else if (push.audience().expiring()) audience.put("expiringWithin", push.audience().expiringWithin());
    else {
      audience.put("listed", push.audience().openIds().size());
      audience.put("first", push.audience().openIds().subList(0, Math.min(5, push.audience().openIds().size())));
    }
    d.put("audience", audience);
    d.put("priority", push.priority() == null ? "normal" : push.priority());
    if (push.sendAt() != null) d.put("sendAt", push.sendAt());
    if (push.notAfter() != null) d.put("notAfter", push.notAfter());
    if (push.callbackUrl() != null) d.put("callback", true);
    redis.hsetnx(status(push.requestId()), "request", Json.writeString(d));
  }

  /** Keeps the whole request beside its marker, to publish it again later (its time came, or quiet hours ended). */
  public void rememberBody(PushRequest push) {
    String marker = request(push.requestId());
    redis.hset(marker, "b", Json.writeString(push));
    if (redis.pttl(marker) < 0) redis.pexpire(marker, RETENTION.toMillis());
  }

  /** The request kept by {@link #rememberBody}, if any. */
  public Optional<PushRequest> body(String requestId) {
    String b = redis.hget(request(requestId), "b");
    if (b == null) return Optional.empty();
    try {
      return Optional.of(Json.MAPPER.readValue(b, PushRequest.class));
    } catch (java.io.IOException e) {
      throw new IllegalStateException("unreadable body of push " + requestId, e);
    }
  }

  /** A scheduled push whose time has come: its id and the body to publish again (null when it is gone). */
  public record Due(String requestId, String body) {}

  /** Up to {@code limit} pushes of {@code appId} whose {@code sendAt} has come. */
  public List<Due> due(String appId, int limit) {
    List<String> ids = redis.zrangeByScore(keys.schedule(appId), Double.NEGATIVE_INFINITY, clock.millis(), 0, limit);
    List<Due> due = new java.util.ArrayList<>(ids.size());
    for (String id : ids) due.add(new Due(id, redis.hget(request(id), "b")));
    return due;
  }

  /** Takes a started (or vanished) push off its app's schedule. */
  public void unschedule(String appId, String requestId) {
    redis.zrem(keys.schedule(appId), requestId);
  }

  /** One page of an app's pushes, newest first: their ids, and the cursor of the next page (null at the end). */
  public record Listed(List<String> requestIds, String nextCursor) {}

  /**
   * Up to {@code limit} ids of {@code appId}'s pushes, newest first, starting after {@code cursor}
   * (null: from the newest); {@code keep} filters them (e.g. by state). Reads at most
   * {@code 20 × limit} entries per call, so a rare state costs a few pages, not a scan of all.
   */
  public Listed list(String appId, String cursor, int limit, java.util.function.Predicate<String> keep) {
    String key = keys.pushList(appId);
    double max = Double.POSITIVE_INFINITY;
    String after = null;
    if (cursor != null) {
      int colon = cursor.indexOf(':');
      max = Double.parseDouble(cursor.substring(0, colon));
      after = cursor.substring(colon + 1);
    }
    List<String> found = new java.util.ArrayList<>();
    int budget = 20 * limit;
    String last = null;
    double lastScore = max;
    int offset = 0;
    while (found.size() < limit && budget > 0) {
      List<Tuple> batch = redis.zrevrangeByScoreWithScores(key, max, Double.NEGATIVE_INFINITY, offset, Math.min(200, budget));
      if (batch.isEmpty()) return new Listed(found, null);
      for (Tuple t : batch) {
        offset++;
        budget--;
        if (after != null) { // skip up to and including the cursor's own entry (equal scores come in reverse member order)
          if (t.getScore() == max && t.getElement().compareTo(after) >= 0) continue;
          after = null;
        }
        last = t.getElement();
        lastScore = t.getScore();
        if (keep.test(t.getElement())) found.add(t.getElement());
        if (found.size() == limit || budget == 0) break;
      }
    }
    return new Listed(found, last == null ? null : (long) lastScore + ":" + last);
  }

  /** The push's retry bookkeeping (its message, its retryable users, its rounds). */
  public PushRetries retries() {
    return retries;
  }

  /** Marks an accepted push as published; a no-op for one without a marker. */
  public void published(String requestId) {
    StoreUnavailableException.around("marking push " + requestId + " published", () -> PUBLISHED.eval(redis, List.of(request(requestId)), List.of()));
  }

  /** A push's body, canonical (map keys sorted) and hashed: equal requests hash equal whatever their key order. */
  static String bodyHash(PushRequest push) {
    try {
      byte[] canonical = Json.MAPPER.writer().with(com.fasterxml.jackson.databind.SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
          .writeValueAsBytes(push);
      return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(canonical));
    } catch (com.fasterxml.jackson.core.JsonProcessingException | java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Creates the status record if missing (a request published straight to Kafka has none yet). */
  public void initStatus(PushRequest push) {
    String key = status(push.requestId());
    if (redis.hsetnx(key, "state", "accepted") == 1) {
      redis.hset(key, Map.of("appId", push.appId(), "kind", push.kind(), "templateId", push.templateId(),
          "createdAt", Long.toString(clock.millis()), "targets", "0"));
      redis.pexpire(key, RETENTION.toMillis());
      listed(push.appId(), push.requestId(), clock.millis()); // a request published straight to Kafka
    }
  }

  /** The fan-out's resume cursor ('' at the start), and whether the fan-out already finished. */
  public record FanoutProgress(String cursor, boolean done) {}

  public FanoutProgress fanoutProgress(String requestId) {
    List<String> v = redis.hmget(status(requestId), "cursor", "fanoutDone");
    return new FanoutProgress(v.get(0) == null ? "" : v.get(0), "1".equals(v.get(1)));
  }

  /**
   * The recall audience's bound (epoch ms: users whose soonest credential expires by then), fixed
   * the first time the push's fan-out asks ({@code proposedMs}), so a resumed fan-out reads the same
   * audience.
   */
  public long recallBy(String requestId, long proposedMs) {
    redis.hsetnx(status(requestId), "recallBy", Long.toString(proposedMs));
    return Long.parseLong(redis.hget(status(requestId), "recallBy"));
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
   * Stamps the push's run (its short id, horizon and outcome buckets) the first time, and returns
   * the run as stamped: every fan-out and sender of the push agrees on it.
   *
   * @param grace {@code LEDGER_GRACE}: the horizon is Redis's time now plus this
   * @param outcomeBuckets for an audience of this size ({@link PushRun#bucketsFor}); ignored once stamped
   */
  public PushRun startRun(String requestId, String appId, Duration grace, int outcomeBuckets) {
    return StoreUnavailableException.around("starting push " + requestId, () -> {
      java.util.Optional<String> stamped = java.util.Optional.ofNullable(redis.hget(status(requestId), "run"));
      String fresh = stamped.orElseGet(() -> Long.toString(redis.incr(keys.pushSeq(appId)), Character.MAX_RADIX));
      @SuppressWarnings("unchecked")
      List<Object> r = (List<Object>) RUN.eval(redis, List.of(status(requestId)),
          List.of(fresh, Long.toString(grace.toMillis()), Integer.toString(outcomeBuckets)));
      return new PushRun((String) r.get(0), (Long) r.get(1), ((Long) r.get(2)).intValue());
    });
  }

  /**
   * Records a user's final outcome, once. Returns false when the user already had one (nothing
   * is counted twice).
   *
   * @param grace {@code LEDGER_GRACE}: how long the user's outcome is remembered (at least the push's horizon)
   * @param reason why it failed or had no credential (an errcode or a short code); null for none
   */
  public boolean recordOutcome(String requestId, PushRun run, String openId, Outcome outcome, String reason, Duration grace) {
    List<String> keys = List.of(status(requestId), reasons(requestId),
        this.keys.pushOutcomes(requestId, RedisKeys.bucketOf(openId, run.outcomeBuckets())));
    List<String> args = List.of(userField(openId), outcome.code(), outcome.field(), reason == null ? "" : reason,
        Long.toString(grace.toMillis()), Long.toString(run.untilMs()));
    Object reply = batcher != null ? batcher.eval(OUTCOME, keys, args) : OUTCOME.eval(redis, keys, args);
    return ((Long) reply) == 1L;
  }

  /**
   * The final outcome code ({@link Outcome#code()}) of each of {@code openIds} that has one, for
   * audits and tests, while the push's per-user state is kept ({@code LEDGER_GRACE}).
   */
  public Map<String, String> userOutcomes(String requestId, java.util.Collection<String> openIds) {
    Map<String, String> found = new TreeMap<>();
    String buckets = redis.hget(status(requestId), "buckets");
    if (buckets == null) return found;
    int n = Integer.parseInt(buckets);
    for (String openId : openIds) {
      String code = redis.hget(keys.pushOutcomes(requestId, RedisKeys.bucketOf(openId, n)), userField(openId));
      if (code != null) found.put(openId, code);
    }
    return found;
  }

  /** Marks the whole push as failed (a request-level WeChat error): no more credentials are spent on it. */
  /**
   * A message of the push that WeChat reported failed after it was sent ({@code subscribe_msg_sent_event}):
   * counted under {@code reason} in {@code byReason}; the user stays counted {@code sent}. False when the push is gone.
   */
  public boolean countLate(String requestId, String reason) {
    if (!redis.exists(keys.pushStatus(requestId))) return false;
    redis.hincrBy(keys.pushReasons(requestId), reason, 1);
    return true;
  }

  public void failFast(String requestId, String reason) {
    redis.hsetnx(status(requestId), "failFast", reason);
  }

  /**
   * Marks a push request that cannot be processed (malformed, or failing every try) as failed with
   * {@code reason}, creating its status if it has none; a push already done keeps its state.
   */
  public void failRequest(String requestId, String appId, String reason) {
    String key = status(requestId);
    if ("done".equals(redis.hget(key, "state"))) return;
    redis.hset(key, Map.of("state", "failed", "reason", reason, "appId", appId == null ? "" : appId));
    if (redis.pttl(key) < 0) redis.pexpire(key, RETENTION.toMillis());
  }

  /**
   * How long a cancel waits before it answers: senders re-read a push's stop marks at least once a
   * second and look last right before each WeChat call, so after this no send of it starts.
   */
  public static final Duration CANCEL_SETTLE = Duration.ofMillis(1_500);

  /** What {@link #cancel} found. */
  public enum Cancel {
    /** No such push. */
    MISSING,
    /** Done, failed or cancelled already: nothing to cancel. */
    FINAL,
    /** Marked: the fan-out stops at its next page, no send of it starts; cancelled once nothing is in flight. */
    CANCELLING,
    /** Cancelled at once (it was scheduled). */
    CANCELLED
  }

  /** Cancels a push of {@code appId} (see {@code push-cancel.lua}). */
  public Cancel cancel(String requestId, String appId) {
    return StoreUnavailableException.around("cancelling push " + requestId, () -> {
      Cancel c = Cancel.valueOf(((String) CANCEL.eval(redis, List.of(status(requestId)), List.of())).toUpperCase(java.util.Locale.ROOT));
      // off the schedule (the app's slot); should the dispatcher publish it first, the fan-out finds it cancelled
      if (c == Cancel.CANCELLED) redis.zrem(keys.schedule(appId), requestId);
      return c;
    });
  }

  /** Why no more sends of a push may start: failed as a whole (its reason), or cancelled. */
  public record Stop(Optional<String> failedFast, boolean cancelled) {
    public static final Stop NONE = new Stop(Optional.empty(), false);

    public boolean stopped() {
      return failedFast.isPresent() || cancelled;
    }
  }

  /** The push's stop marks, in one read. */
  public Stop stop(String requestId) {
    List<String> v = redis.hmget(status(requestId), "failFast", "cancel");
    return new Stop(Optional.ofNullable(v.get(0)), "1".equals(v.get(1)));
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
    long cancelled = number(s, "cancelled");
    Map<String, Long> byReason = new TreeMap<>();
    redis.hgetAll(reasons(requestId)).forEach((k, v) -> byReason.put(k, Long.parseLong(v)));
    String state = s.getOrDefault("state", "accepted");
    long pending = Math.max(0, targets - sent - none - failed - unknown - cancelled);
    return Optional.of(new PushStatus(requestId, state, targets, sent, none, failed, unknown, cancelled, pending, byReason, s.get("reason"),
        s.get("appId"), redis.scard(keys.pushRetryable(requestId)),
        s.containsKey("resumesAt") && !isFinalState(state) ? Long.parseLong(s.get("resumesAt")) : null, describedRequest(s.get("request")),
        timeline(s)));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> describedRequest(String json) {
    if (json == null) return null;
    try {
      return Json.MAPPER.readValue(json, Map.class);
    } catch (java.io.IOException e) {
      return null;
    }
  }

  private static Map<String, Long> timeline(Map<String, String> s) {
    Map<String, Long> t = new java.util.LinkedHashMap<>();
    for (String f : new String[] {"createdAt", "startedAt", "fanoutDoneAt", "cancelledAt", "finishedAt"}) {
      if (s.get(f) != null) t.put(f, Long.parseLong(s.get(f)));
    }
    return t;
  }

  private static boolean isFinalState(String state) {
    return state.equals("done") || state.equals("failed") || state.equals("cancelled");
  }

  private static long number(Map<String, String> s, String field) {
    String v = s.get(field);
    return v == null ? 0 : Long.parseLong(v);
  }
}
