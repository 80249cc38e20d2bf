package io.wxpush.push;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.wxpush.client.PushRequest;
import io.wxpush.json.Json;
import io.wxpush.redis.RedisBatcher;
import io.wxpush.redis.RedisKeys;
import io.wxpush.redis.RedisScript;
import io.wxpush.redis.StoreUnavailableException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import redis.clients.jedis.UnifiedJedis;

/**
 * The state of every push in Redis, the one entry point for the API, the fan-out and the senders:
 * its status counters, the per-user outcomes that make each counter exact under redelivery
 * (bucketed, kept for {@code LEDGER_GRACE}), the fan-out's resume cursor, the run stamp
 * ({@link PushRun}), the stop marks. Every move of its {@code state} goes through
 * {@link PushLifecycle} (the table: {@link PushTransition}); the app's list, the schedule and the
 * status read are {@link PushListing}, {@link PushSchedule} and {@link PushStatusReader}. All keys
 * of one push share the hash tag {@code {appId:requestId}}: a requestId belongs to its app ({@link PushId}). A call the API makes answers
 * {@link StoreUnavailableException} when Redis is away. Thread-safe; every method blocks on Redis.
 */
public final class PushStatusStore {
  /** How long a push's state is kept after it was accepted. */
  public static final Duration RETENTION = Duration.ofDays(8);

  private static final RedisScript PUBLISHED = RedisScript.load(PushStatusStore.class, "push-published.lua");
  private static final RedisScript LATE = RedisScript.load(PushStatusStore.class, "push-late.lua");
  private static final RedisScript FAIL_FAST = RedisScript.load(PushStatusStore.class, "push-fail-fast.lua");

  private final UnifiedJedis redis;
  private final RedisKeys keys;
  private final Clock clock;
  private final PushLifecycle lifecycle;
  private final PushRetries retries;
  private final PushListing listing;
  private final PushSchedule schedule;
  private final PushStatusReader reader;

  public PushStatusStore(UnifiedJedis redis, RedisKeys keys, Clock clock) {
    this(redis, null, keys, clock);
  }

  /** As above, with the per-user outcomes ({@link #recordOutcome}) pipelined through {@code batcher}. */
  public PushStatusStore(UnifiedJedis redis, RedisBatcher batcher, RedisKeys keys, Clock clock) {
    this.redis = redis;
    this.keys = keys;
    this.clock = clock;
    this.lifecycle = new PushLifecycle(redis, batcher, keys);
    this.retries = new PushRetries(redis, keys, lifecycle);
    this.listing = new PushListing(redis, keys);
    this.schedule = new PushSchedule(redis, keys, lifecycle);
    this.reader = new PushStatusReader(redis, keys);
  }

  /** The owner of the push's state: every transition goes through it. */
  public PushLifecycle lifecycle() {
    return lifecycle;
  }

  private String status(PushId id) {
    return keys.pushStatus(id.appId(), id.requestId());
  }

  private String reasons(PushId id) {
    return keys.pushReasons(id.appId(), id.requestId());
  }


  private String request(PushId id) {
    return keys.pushRequest(id.appId(), id.requestId());
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
      String reply = lifecycle.accept(request(PushId.of(push)), PushId.of(push),
          List.of(bodyHash(push), Long.toString(RETENTION.toMillis()), push.appId(), push.kind(), push.templateId(),
              Long.toString(now), (push.scheduledAfter(now) ? PushState.SCHEDULED : PushState.ACCEPTED).wire()));
      Acceptance seen = Acceptance.valueOf(reply.toUpperCase(Locale.ROOT));
      if (seen == Acceptance.NEW) listing.listed(push.appId(), push.requestId(), now);
      return seen;
    });
  }

  /**
   * What {@link #accept} would answer for {@code push} now, changing nothing: the API looks this up
   * before anything else about the push (a replay of an accepted push is answered as the first time).
   */
  public Acceptance seen(PushRequest push) {
    return StoreUnavailableException.around("looking up push " + push.requestId(), () -> {
      String marker = request(PushId.of(push));
      String type = redis.type(marker);
      if ("string".equals(type)) return Acceptance.REPLAY; // a marker of a version before the hash
      if (!"hash".equals(type)) return Acceptance.NEW;
      List<String> v = redis.hmget(marker, "h", "st");
      if (v.get(0) == null) return Acceptance.NEW;
      if (!v.get(0).equals(bodyHash(push))) return Acceptance.CONFLICT;
      return "published".equals(v.get(1)) ? Acceptance.REPLAY : Acceptance.REPUBLISH;
    });
  }

  /**
   * Keeps a push whose {@code sendAt} is ahead until then: its body beside its marker, its id in the
   * app's schedule (which {@link #due} reads), its state {@code scheduled}. Idempotent.
   */
  public void schedule(PushRequest push) {
    StoreUnavailableException.around("scheduling push " + push.requestId(), () -> {
      if (schedule.schedule(push)) listing.listed(push.appId(), push.requestId(), clock.millis());
      return null;
    });
  }

  /**
   * Keeps what was asked beside the push's status, for its page in the console (once: the first
   * description stays): the message, the audience (listed users as a count and the first few),
   * priority, sendAt and notAfter.
   */
  public void describe(PushRequest push) {
    StoreUnavailableException.around("describing push " + push.requestId(), () -> describeNow(push));
  }

  private Object describeNow(PushRequest push) {
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("kind", push.kind());
    d.put("templateId", push.templateId());
    if (push.page() != null) d.put("page", push.page());
    d.put("data", push.data());
    if (push.emphasisKeyword() != null) d.put("emphasisKeyword", push.emphasisKeyword());
    Map<String, Object> audience = new LinkedHashMap<>();
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
    redis.hsetnx(status(PushId.of(push)), "request", Json.writeString(d));
    return null;
  }

  /** Keeps the whole request beside its marker, to publish it again later (its time came, or quiet hours ended). */
  public void rememberBody(PushRequest push) {
    schedule.rememberBody(push);
  }

  /** The request kept by {@link #rememberBody}, if any. */
  public Optional<PushRequest> body(PushId id) {
    return schedule.body(id);
  }

  /** A scheduled push whose time has come: its id and the body to publish again (null when it is gone). */
  public record Due(String requestId, String body) {}

  /** Up to {@code limit} pushes of {@code appId} whose {@code sendAt} has come. */
  public List<Due> due(String appId, int limit) {
    return schedule.due(appId, limit, clock.millis());
  }

  /** Takes a started (or vanished) push off its app's schedule. */
  public void unschedule(String appId, String requestId) {
    schedule.unschedule(appId, requestId);
  }

  /** One page of an app's pushes, newest first: their ids, and the cursor of the next page (null at the end). */
  public record Listed(List<String> requestIds, String nextCursor) {}

  /**
   * Up to {@code limit} ids of {@code appId}'s pushes, newest first, starting after {@code cursor}
   * (null: from the newest); {@code keep} filters them (e.g. by state). Reads at most
   * {@code 20 × limit} entries per call, so a rare state costs a few pages, not a scan of all.
   */
  public Listed list(String appId, String cursor, int limit, Predicate<String> keep) {
    return StoreUnavailableException.around("listing the pushes of " + appId, () -> listing.list(appId, cursor, limit, keep));
  }

  /** The push's retry bookkeeping (its message, its retryable users, its rounds). */
  public PushRetries retries() {
    return retries;
  }

  /** Marks an accepted push as published; a no-op for one without a marker. */
  public void published(PushId id) {
    StoreUnavailableException.around("marking push " + id + " published", () -> PUBLISHED.eval(redis, List.of(request(id)), List.of()));
  }

  /** A push's body, canonical (map keys sorted) and hashed: equal requests hash equal whatever their key order. */
  static String bodyHash(PushRequest push) {
    try {
      byte[] canonical = Json.MAPPER.writer().with(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
          .writeValueAsBytes(push);
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(canonical));
    } catch (JsonProcessingException | NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Creates the status record if missing (a request published straight to Kafka has none yet). */
  public void initStatus(PushRequest push) {
    long now = clock.millis();
    if (lifecycle.init(push, RETENTION, now)) listing.listed(push.appId(), push.requestId(), now); // a request published straight to Kafka
  }

  /** The fan-out's resume cursor ('' at the start), and whether the fan-out already finished. */
  public record FanoutProgress(String cursor, boolean done) {}

  public FanoutProgress fanoutProgress(PushId id) {
    List<String> v = redis.hmget(status(id), "cursor", "fanoutDone");
    return new FanoutProgress(v.get(0) == null ? "" : v.get(0), "1".equals(v.get(1)));
  }

  /**
   * The recall audience's bound (epoch ms: users whose soonest credential expires by then), fixed
   * the first time the push's fan-out asks ({@code proposedMs}), so a resumed fan-out reads the same
   * audience.
   */
  public long recallBy(PushId id, long proposedMs) {
    redis.hsetnx(status(id), "recallBy", Long.toString(proposedMs));
    return Long.parseLong(redis.hget(status(id), "recallBy"));
  }

  /** Records a published page; false when another fan-out already moved the cursor past {@code from}. */
  public boolean recordPage(PushId id, String from, String to, int users) {
    return lifecycle.page(id, from, to, users);
  }

  /** Marks the fan-out finished; returns the state it leaves ({@code sending}, or final when every target has its outcome). */
  public PushState finishFanout(PushId id) {
    return lifecycle.fanoutDone(id);
  }

  /**
   * Stamps the push's run (its short id, horizon and outcome buckets) the first time, and returns
   * the run as stamped: every fan-out and sender of the push agrees on it.
   *
   * @param grace {@code LEDGER_GRACE}: the horizon is Redis's time now plus this
   * @param outcomeBuckets for an audience of this size ({@link PushRun#bucketsFor}); ignored once stamped
   */
  public PushRun startRun(PushId id, Duration grace, int outcomeBuckets) {
    return StoreUnavailableException.around("starting push " + id, () -> {
      Optional<String> stamped = Optional.ofNullable(redis.hget(status(id), "run"));
      String fresh = stamped.orElseGet(() -> Long.toString(redis.incr(keys.pushSeq(id.appId())), Character.MAX_RADIX));
      return lifecycle.startRun(id, fresh, grace, outcomeBuckets);
    });
  }

  /**
   * Records a user's final outcome, once. Returns false when the user already had one (nothing
   * is counted twice), except that knowledge only grows: {@link Outcome#SENT} for a user recorded
   * {@link Outcome#UNKNOWN} upgrades it (unknown −1, sent +1) and returns true; never the other way.
   *
   * @param grace {@code LEDGER_GRACE}: how long the user's outcome is remembered (at least the push's horizon)
   * @param reason why it failed or had no credential (an errcode or a short code); null for none
   */
  public boolean recordOutcome(PushId id, PushRun run, String openId, Outcome outcome, String reason, Duration grace) {
    return recordOutcome(id, run, openId, outcome, reason, 0, grace);
  }

  /**
   * As above; {@code msgid} (0: none), WeChat's id of a sent message, is kept with the user's outcome
   * (about 20 bytes, as long as the outcome) for {@code GET /v1/pushes/{requestId}/users/{openId}}.
   */
  public boolean recordOutcome(PushId id, PushRun run, String openId, Outcome outcome, String reason, long msgid, Duration grace) {
    List<String> keys = List.of(status(id), reasons(id),
        this.keys.pushOutcomes(id.appId(), id.requestId(), RedisKeys.bucketOf(openId, run.outcomeBuckets())));
    List<String> args = List.of(RedisKeys.outcomeField(openId), outcome.code(), outcome.field(), reason == null ? "" : reason,
        Long.toString(grace.toMillis()), Long.toString(run.untilMs()), outcome == Outcome.SENT ? Long.toString(msgid) : "0");
    return lifecycle.outcome(keys, args);
  }

  /**
   * Records many users' outcomes of one push in one call, each as {@link #recordOutcome} would (once per
   * user, knowledge only grows), the counters added once per field for the batch ({@code push-outcomes.lua}).
   *
   * @param refresh which of the push's outcome buckets (by index) to give their TTL now: a caller refreshes
   *     each bucket it writes to at least once per {@code refreshPeriod} (and on its first write)
   * @return per user, in order: true when recorded or upgraded now
   */
  public List<Boolean> recordOutcomes(PushId id, PushRun run, List<UserOutcome> users, Duration grace,
      java.util.function.IntPredicate refresh, Duration refreshPeriod) {
    List<String> k = new ArrayList<>(List.of(status(id), reasons(id)));
    Map<Integer, Integer> keyOf = new LinkedHashMap<>();
    List<String> args = new ArrayList<>(4 + users.size() * 6);
    args.addAll(List.of(Long.toString(grace.toMillis()), Long.toString(run.untilMs()), Integer.toString(users.size()),
        Long.toString(refreshPeriod.toMillis())));
    for (UserOutcome u : users) {
      int bucket = RedisKeys.bucketOf(u.openId(), run.outcomeBuckets());
      Integer at = keyOf.get(bucket);
      if (at == null) {
        k.add(keys.pushOutcomes(id.appId(), id.requestId(), bucket));
        at = k.size();
        keyOf.put(bucket, at);
      }
      args.addAll(List.of(Integer.toString(at), RedisKeys.outcomeField(u.openId()), u.outcome().code(), u.outcome().field(),
          u.reason() == null ? "" : u.reason(), u.outcome() == Outcome.SENT ? Long.toString(u.msgid()) : "0"));
    }
    keyOf.forEach((bucket, at) -> {
      if (refresh.test(bucket)) args.add(Integer.toString(at));
    });
    List<Long> reply = lifecycle.outcomes(k, args);
    List<Boolean> recorded = new ArrayList<>(reply.size());
    for (Long r : reply) recorded.add(r == 1L);
    return recorded;
  }

  /**
   * A message of the push that WeChat reported failed after it was sent ({@code subscribe_msg_sent_event}):
   * counted under {@code reason} in {@code byReason}; the user stays counted {@code sent}. False when the push is gone.
   */
  public boolean countLate(PushId id, String reason) {
    return (Long) LATE.eval(redis, List.of(status(id), reasons(id)), List.of(reason)) == 1L;
  }

  /** Marks the whole push as failed (a request-level WeChat error): no more credentials are spent on it. A push whose status is gone is left so. */
  public void failFast(PushId id, String reason) {
    FAIL_FAST.eval(redis, List.of(status(id)), List.of(reason));
  }

  /**
   * Marks a push request that cannot be processed (malformed, or failing every try) as failed with
   * {@code reason}, creating its status if it has none; a push already done keeps its state. A
   * request naming no app has no status to fail (its requestId is no app's): nothing is written.
   */
  public void failRequest(String requestId, String appId, String reason) {
    if (appId == null || appId.isEmpty() || requestId == null) return;
    lifecycle.fail(new PushId(appId, requestId), reason, RETENTION);
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

  /** Cancels a push (see {@code push-cancel.lua}: {@link PushTransition#CANCEL}). */
  public Cancel cancel(PushId id) {
    return StoreUnavailableException.around("cancelling push " + id, () -> {
      Cancel c = lifecycle.cancel(id);
      // off the schedule (the app's slot); should the dispatcher publish it first, the fan-out finds it cancelled
      if (c == Cancel.CANCELLED) redis.zrem(keys.schedule(id.appId()), id.requestId());
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
  public Stop stop(PushId id) {
    List<String> v = redis.hmget(status(id), "failFast", "cancel");
    return new Stop(Optional.ofNullable(v.get(0)), "1".equals(v.get(1)));
  }

  /** The reason the push was failed as a whole, if it was. */
  public Optional<String> failedFast(PushId id) {
    return Optional.ofNullable(redis.hget(status(id), "failFast"));
  }

  /**
   * The push's status; for a push accepted before requestIds were per app, its status under the
   * old key, read-only, when it is of {@code id}'s app (see docs/operations.md).
   */
  public Optional<PushStatus> read(PushId id) {
    return StoreUnavailableException.around("reading push " + id, () -> reader.read(id));
  }

  /**
   * Which of {@code appIds} hold a push of {@code requestId} (one EXISTS each, pipelined; a status
   * of before per-app ids counts for the app it names), in the order given.
   */
  public List<String> appsWith(String requestId, Collection<String> appIds) {
    return StoreUnavailableException.around("looking up push " + requestId, () -> reader.appsWith(requestId, appIds));
  }

}
