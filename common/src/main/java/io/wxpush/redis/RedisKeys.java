package io.wxpush.redis;

import io.wxpush.user.UserRef;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The one owner of wxpush's Redis layout: every key any process reads or writes is built here,
 * under {@code REDIS_KEY_PREFIX}, with its hash tag (so that every Lua script's keys share one
 * slot on Redis Cluster) and how long it lives written beside it ({@link Family}). No other class
 * concatenates a key; a test (deploy-check {@code RedisKeyOwnerTest}) fails when one does.
 *
 * <p>Three hash tags: {@code {appId:openId}} for everything of one user (pools with their spent
 * marks and final ledger entries, grants, the send ledger in flight, upload counts), {@code {appId:requestId}} for everything of one
 * push (a requestId belongs to its app: two apps may use one id for two pushes; appIds hold no {@code :}, so the first one
 * ends the app), and
 * {@code {appId}} or {@code {appId:shard}} for what an app shares (token, pauses, send rate, the
 * user index shards).
 *
 * @param prefix {@code REDIS_KEY_PREFIX}, e.g. {@code wxpush:}
 */
public record RedisKeys(String prefix) {
  /**
   * Shards of the per-app user index: enough that a shard of an app with a few million users stays
   * a listpack (Redis's compact encoding, {@code zset-max-listpack-entries} 128 by default: about
   * 2M users; raise it for more, see docs/operations.md). Fan-out and sweep read them in pipelined
   * groups; one shard per Redis Cluster slot's worth spreads an app's index over every node.
   */
  public static final int INDEX_SHARDS = 16384;

  /** Every key family: its pattern (after the prefix), its type, and what removes it. */
  public enum Family {
    POOL("u{app:open}", "ZSET of the user's form_id/prepay_id entries by expiry, their spent marks, "
        + "and the send ledger's final entries of pushes spending them (layout: ledger-lib.lua; members: PoolMember, "
        + "a WeChat-shaped form_id or prepay_id in base 85, f<20 chars> or p<22 chars>:n)",
        "no TTL while it holds a live entry (the sweep drops expired ones, and the user from the index "
        + "when none is left); with none, a TTL that ends with its last spent mark or final ledger entry"),
    GRANTS("u{app:open}:g:<template>", "ZSET of one template's grants by collection time, laid out as POOL",
        "as POOL: grants do not expire, so it lives while one is held, then until its last leftover"),
    USER_GRANT_TEMPLATES("u{app:open}:gt", "SET of templates the user holds grants for, against MAX_GRANT_TEMPLATES",
        "TTL 30 days, renewed by every grant stored; templates whose grants are all spent leave it when the cap is reached"),
    GRANT_TEMPLATES("tpl{app}:g", "SET of templates any user of the app holds grants for",
        "kept: one small set per app; the sweep takes out a template whose grant index is empty"),
    MESSAGE_IDS("mid{app:shard}:<hour>", "HASH WeChat msgid → requestId of the subscribe messages sent in one hour, one shard of them",
        "TTL LEDGER_GRACE plus an hour from its hour: a late subscribe_msg_sent_event finds its push within the grace"),
    TEMPLATES("tpl{app}:list", "JSON of the app's subscribe templates as WeChat last listed them (gettemplate), with when",
        "TTL 7 days, renewed by every refresh: a WeChat outage keeps the last list in use"),
    TEMPLATES_GONE("tpl{app}:gone", "SET of templates a send found removed (40037) since the list was loaded",
        "deleted by the next refresh; TTL as TEMPLATES"),
    TEMPLATES_LOCK("tpl{app}:lock", "the template refresh lock (one process a time calls gettemplate)", "TTL the lock's lease"),
    LEDGER("u{app:open}:l", "HASH push id → send ledger entry in flight (claimed or attempting)",
        "entries leave it when final; the key's TTL is its longest entry's keep time (LEDGER_GRACE, "
        + "at least the push's horizon)"),
    UPLOADS("u{app:open}:uploads:<window>", "counter of one minute's uploads", "TTL two windows"),
    TEMPLATE_INDEX("idx{app:shard}:t", "ZSET of users with form_ids/prepay_ids, scored by a lower bound of their soonest expiry "
        + "(seconds; uploads lower it, sweeps and recall fan-outs set it exact): the recall audience reads it by score",
        "users leave it when the sweep finds no live entry in their pool"),
    GRANT_INDEX("idx{app:shard}:g:<template>", "ZSET of users with grants of a template", "as TEMPLATE_INDEX"),
    PUSH_SEQ("seq{app}", "counter issuing the app's short push ids", "kept: one integer per app"),
    PUSH_STATUS("push{app:request}:s", "HASH of a push's state, counters, fan-out cursor and run stamp; the push is its app's requestId (before per-app ids: push{request}:s, read-only, see docs/operations.md)",
        "TTL 8 days from acceptance: what is left of a done push"),
    PUSH_REASONS("push{app:request}:r", "HASH reason → users (counters)", "the status's TTL, set with the first outcome"),
    PUSH_OUTCOMES("push{app:request}:o:<bucket>", "HASH user hash → outcome code (with the msgid of a sent message), one bucket of the users "
        + "of a push (so each user is counted once)",
        "TTL LEDGER_GRACE after its last write, at least the push's horizon: a done push keeps only counters"),
    SCHEDULE("sched{app}", "ZSET requestId → sendAt: the app's pushes waiting for their time",
        "members leave when their push starts or is cancelled; kept: one per app"),
    PUSH_LIST("pushes{app}", "ZSET requestId → acceptance time: the app's pushes, newest last, for GET /v1/pushes",
        "members older than the status's 8 days are trimmed on every acceptance; kept: one per app"),
    CALLBACKS("cb{app}", "ZSET requestId → next attempt (ms): the app's pushes whose final status is still to be POSTed to their callbackUrl",
        "members leave when delivered or given up (24 h after the push ended); kept: one per app"),
    PUSH_RETRYABLE("push{app:request}:x", "SET openIds of the push whose task went to the DLQ and surely did not reach WeChat",
        "members leave when retried; the status's TTL"),
    PUSH_REQUEST("push{app:request}:q", "HASH the idempotency marker of the app's requestId: the body's hash and publishing|published", "TTL 8 days"),
    TOKEN("token{app}", "the app's access token", "TTL its lifetime less 200 s"),
    TOKEN_LOCK("token{app}:lock", "the refresh lock", "TTL the lock's lease"),
    POLICY("policy{app}", "JSON of the app's policy (quiet hours, frequency cap, reserve) as last PUT", "kept: one small string per app"),
    AUDIT("audit{app}", "STREAM of the app's recent audit records (GET /v1/audit), at most about 10,000, none past 30 days",
        "trimmed on every append; TTL 30 days, renewed by each append"),
    QUIET("quiet{app}", "ZSET requestId → holds so far: the app's pushes waiting for the end of quiet hours",
        "members leave when their push resumes; kept: one per app"),
    HELD("push{app:request}:h:<bucket>", "HASH openId → the run its task carried ('runId|untilMs|buckets') of one bucket (~64 users) of a push's tasks held back by quiet hours",
        "members leave when the push resumes and their tasks are published again; the status's TTL"),
    HELD_BUCKETS("push{app:request}:hb", "SET of the buckets of HELD that hold users", "emptied on resume; the status's TTL"),
    FLEET("fleet{all}", "ZSET process id → its last heartbeat (ms): the running processes, for the console",
        "ids whose heartbeat is older than its TTL are dropped by every reader; kept: one per deployment"),
    HEARTBEAT("fleet{all}:<process>", "HASH one process's heartbeat (role, version, started, loops up, sends/s)", "TTL 20 s, renewed every 5 s"),
    EVENT_TAKEN("evt{app}:<digest>", "marker of a signed message-push request whose event was published and answered success: "
        + "SHA-256 of its timestamp, nonce, signature and msg_signature (a replay within the window is answered success and publishes nothing)",
        "TTL twice the events' 5-minute window plus a minute: the longest a timestamp admitted now stays admitted, with room for clocks"),
    PAUSE("pause{app}", "a quota pause (45011/45009) with its end", "TTL the pause"),
    QUOTA("quota{app}", "JSON of the app's subscribe-send quota as WeChat last reported it (quota/get), with when",
        "TTL three QUOTA_REFRESH periods, at least 30 minutes, renewed by every refresh: a quota not read again is gone, not stale"),
    QUOTA_LOCK("quota{app}:lock", "the quota refresh lock (one process a time calls quota/get)", "TTL the lock's lease"),
    SEND_RATE("rate{app}:<window>", "counter of one second's sends", "TTL two windows");

    private final String pattern;
    private final String holds;
    private final String retention;
    private final Pattern regex;

    Family(String pattern, String holds, String retention) {
      this.pattern = pattern;
      this.holds = holds;
      this.retention = retention;
      String any = "[^:{}]+";
      this.regex = Pattern.compile(Pattern.quote(pattern)
          .replace("{app:open}", "\\E\\{" + any + ":" + any + "\\}\\Q")
          .replace("{app:shard}", "\\E\\{" + any + ":[0-9]+\\}\\Q")
          .replace("{app:request}", "\\E\\{" + any + ":[A-Za-z0-9_.:-]+\\}\\Q")
          .replace("{app}", "\\E\\{" + any + "\\}\\Q")
          .replace("<template>", "\\E" + any + "\\Q")
          .replace("<window>", "\\E[0-9]+\\Q")
          .replace("<bucket>", "\\E[0-9]+\\Q")
          .replace("<hour>", "\\E[0-9]+\\Q")
          .replace("<digest>", "\\E[0-9a-f]{64}\\Q")
          .replace("<process>", "\\E[A-Za-z0-9_.-]+\\Q"));
    }

    /** True when a key (without the prefix) belongs to this family. */
    public boolean matches(String keyAfterPrefix) {
      return regex.matcher(keyAfterPrefix).matches();
    }

    /** True when every key of the family carries a TTL (the others are swept, or kept). */
    public boolean expires() {
      return switch (this) {
        case POOL, GRANTS, GRANT_TEMPLATES, TEMPLATE_INDEX, GRANT_INDEX, PUSH_SEQ, SCHEDULE, PUSH_LIST, CALLBACKS, POLICY, QUIET, FLEET -> false;
        default -> true;
      };
    }

    /** The family a key (without the prefix) belongs to, if any. */
    public static Optional<Family> of(String keyAfterPrefix) {
      for (Family f : values()) if (f.matches(keyAfterPrefix)) return Optional.of(f);
      return Optional.empty();
    }

    /** The key's shape after the prefix ({@code <…>} for variable parts). */
    public String pattern() {
      return pattern;
    }

    public String holds() {
      return holds;
    }

    /** What removes it: a TTL or a sweeper. */
    public String retention() {
      return retention;
    }
  }

  private String user(UserRef user) {
    return prefix + "u{" + user.appId() + ":" + user.openId() + "}";
  }

  /** {@link Family#POOL}. */
  public String templatePool(UserRef user) {
    return user(user);
  }

  /** The pool a push spends from: {@link Family#POOL}, or {@link Family#GRANTS} of {@code subscribeTemplateId} when not null. */
  public String poolFor(UserRef user, String subscribeTemplateId) {
    return subscribeTemplateId == null ? templatePool(user) : grants(user, subscribeTemplateId);
  }

  /** {@link Family#GRANTS}. */
  public String grants(UserRef user, String templateId) {
    return user(user) + ":g:" + templateId;
  }

  /** {@link Family#USER_GRANT_TEMPLATES}. */
  public String userGrantTemplates(UserRef user) {
    return user(user) + ":gt";
  }

  /** {@link Family#GRANT_TEMPLATES}. */
  public String grantTemplates(String appId) {
    return prefix + "tpl{" + appId + "}:g";
  }

  /** {@link Family#MESSAGE_IDS}: {@code hour} is epoch ms / 3,600,000. */
  public String messageIds(String appId, int shard, long hour) {
    return prefix + "mid{" + appId + ":" + shard + "}:" + hour;
  }

  /** {@link Family#TEMPLATES}. */
  public String templates(String appId) {
    return prefix + "tpl{" + appId + "}:list";
  }

  /** {@link Family#TEMPLATES_GONE}. */
  public String templatesGone(String appId) {
    return prefix + "tpl{" + appId + "}:gone";
  }

  /** {@link Family#TEMPLATES_LOCK}. */
  public String templatesLock(String appId) {
    return prefix + "tpl{" + appId + "}:lock";
  }

  /** {@link Family#LEDGER}. */
  public String ledger(UserRef user) {
    return user(user) + ":l";
  }

  /** {@link Family#UPLOADS}, without its window (see {@link #inWindow}). */
  public String uploads(UserRef user) {
    return user(user) + ":uploads";
  }

  /** {@link Family#TEMPLATE_INDEX}. */
  public String templateIndex(String appId, int shard) {
    return prefix + "idx{" + appId + ":" + shard + "}:t";
  }

  /** {@link Family#GRANT_INDEX}. */
  public String grantIndex(String appId, int shard, String templateId) {
    return prefix + "idx{" + appId + ":" + shard + "}:g:" + templateId;
  }

  /** The tag of one push: its app first, then its requestId (appIds hold no {@code :}: no two apps' pushes share one). */
  private String push(String appId, String requestId) {
    if (appId == null || appId.isEmpty() || appId.indexOf(':') >= 0 || appId.indexOf('{') >= 0 || appId.indexOf('}') >= 0) {
      throw new IllegalArgumentException("not an appId for a push key: " + appId);
    }
    return prefix + "push{" + appId + ":" + requestId + "}";
  }

  /**
   * The status of a push written before requestIds were per app ({@code push{requestId}:s}): read,
   * never written, while such statuses last (8 days after an upgrade, see docs/operations.md).
   */
  public String legacyPushStatus(String requestId) {
    return prefix + "push{" + requestId + "}:s";
  }

  /** The reasons of a push written before requestIds were per app, as {@link #legacyPushStatus}. */
  public String legacyPushReasons(String requestId) {
    return prefix + "push{" + requestId + "}:r";
  }

  /** {@link Family#PUSH_STATUS}. */
  public String pushStatus(String appId, String requestId) {
    return push(appId, requestId) + ":s";
  }

  /** {@link Family#PUSH_REASONS}. */
  public String pushReasons(String appId, String requestId) {
    return push(appId, requestId) + ":r";
  }

  /** {@link Family#PUSH_OUTCOMES}: the bucket {@code bucket} of a push's per-user outcomes. */
  public String pushOutcomes(String appId, String requestId, int bucket) {
    return push(appId, requestId) + ":o:" + bucket;
  }

  /** {@link Family#PUSH_SEQ}. */
  public String pushSeq(String appId) {
    return prefix + "seq{" + appId + "}";
  }

  /** {@link Family#SCHEDULE}. */
  public String schedule(String appId) {
    return prefix + "sched{" + appId + "}";
  }

  /** {@link Family#CALLBACKS}. */
  public String callbacks(String appId) {
    return prefix + "cb{" + appId + "}";
  }

  /** {@link Family#PUSH_LIST}. */
  public String pushList(String appId) {
    return prefix + "pushes{" + appId + "}";
  }

  /** {@link Family#PUSH_RETRYABLE}. */
  public String pushRetryable(String appId, String requestId) {
    return push(appId, requestId) + ":x";
  }

  /** {@link Family#PUSH_REQUEST}. */
  public String pushRequest(String appId, String requestId) {
    return push(appId, requestId) + ":q";
  }

  /** {@link Family#TOKEN}. */
  public String token(String appId) {
    return prefix + "token{" + appId + "}";
  }

  /** {@link Family#TOKEN_LOCK}. */
  public String tokenLock(String appId) {
    return token(appId) + ":lock";
  }

  /** {@link Family#POLICY}. */
  public String policy(String appId) {
    return prefix + "policy{" + appId + "}";
  }

  /** {@link Family#AUDIT}. */
  public String audit(String appId) {
    return prefix + "audit{" + appId + "}";
  }

  /** {@link Family#QUIET}. */
  public String quiet(String appId) {
    return prefix + "quiet{" + appId + "}";
  }

  /** {@link Family#HELD}. */
  public String held(String appId, String requestId, int bucket) {
    return push(appId, requestId) + ":h:" + bucket;
  }

  /** {@link Family#HELD_BUCKETS}. */
  public String heldBuckets(String appId, String requestId) {
    return push(appId, requestId) + ":hb";
  }

  /** {@link Family#FLEET}. */
  public String fleet() {
    return prefix + "fleet{all}";
  }

  /** {@link Family#HEARTBEAT}. */
  public String heartbeat(String processId) {
    return prefix + "fleet{all}:" + processId;
  }

  /** {@link Family#EVENT_TAKEN}: {@code digest} is 64 lowercase hex digits. */
  public String eventTaken(String appId, String digest) {
    return prefix + "evt{" + appId + "}:" + digest;
  }

  /** {@link Family#PAUSE}. */
  public String pause(String appId) {
    return prefix + "pause{" + appId + "}";
  }

  /** {@link Family#QUOTA}. */
  public String quota(String appId) {
    return prefix + "quota{" + appId + "}";
  }

  /** {@link Family#QUOTA_LOCK}. */
  public String quotaLock(String appId) {
    return prefix + "quota{" + appId + "}:lock";
  }

  /** {@link Family#SEND_RATE}, without its window (see {@link #inWindow}). */
  public String sendRate(String appId) {
    return prefix + "rate{" + appId + "}";
  }

  /** A windowed counter's key for window {@code index} (the base keeps the slot on a cluster). */
  public static String inWindow(String base, long index) {
    return base + ":" + index;
  }

  /** The index shard a user belongs to; stable across processes and restarts. */
  public static int shardOf(String openId) {
    return Math.floorMod(openId.hashCode(), INDEX_SHARDS);
  }

  /** The outcome bucket of a user in a push with {@code buckets} buckets (a power of two up to {@link #INDEX_SHARDS}). */
  public static int bucketOf(String openId, int buckets) {
    return shardOf(openId) & (buckets - 1);
  }

  /** A user's field in its outcome bucket ({@link #pushOutcomes}): 64 bits of SHA-256 of the openId, base64url (11 characters, not 28). */
  public static String outcomeField(String openId) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(openId.getBytes(StandardCharsets.UTF_8));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(Arrays.copyOf(d, 8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
