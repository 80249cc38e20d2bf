package io.wxpush.redis;

import io.wxpush.credentials.UserRef;

/**
 * The one owner of wxpush's Redis layout: every key any process reads or writes is built here,
 * under {@code REDIS_KEY_PREFIX}, with its hash tag (so that every Lua script's keys share one
 * slot on Redis Cluster) and how long it lives written beside it ({@link Family}). No other class
 * concatenates a key; a test (deploy-check {@code RedisKeyOwnerTest}) fails when one does.
 *
 * <p>Three hash tags: {@code {appId:openId}} for everything of one user (pools, spent marks,
 * grants, the send ledger, upload counts), {@code {requestId}} for everything of one push, and
 * {@code {appId}} or {@code {appId:shard}} for what an app shares (token, pauses, send rate, the
 * user index shards).
 *
 * @param prefix {@code REDIS_KEY_PREFIX}, e.g. {@code wxpush:}
 */
public record RedisKeys(String prefix) {
  /** Shards of the per-app user index; a broadcast pages through them one after another. */
  public static final int INDEX_SHARDS = 16;

  /** Every key family: its pattern (after the prefix), its type, and what removes it. */
  public enum Family {
    POOL("u{app:open}:pool", "ZSET of form_id/prepay_id entries by expiry",
        "entries are swept when they expire (PoolSweeper) or spent; Redis drops the empty key"),
    GRANTS("u{app:open}:g:<template>", "ZSET of one template's grants by collection time",
        "entries are spent; capped per pool (POOL_CAP_PER_USER); grants do not expire, so neither does the key yet"),
    GRANT_TEMPLATES("u{app:open}:gt", "SET of templates the user holds grants for",
        "none yet: kept while grants may be held (grants do not expire)"),
    SPENT("u{app:open}:spent", "ZSET of entries handed to a sender, by when they may be forgotten",
        "trimmed on every claim; the key's TTL is the longest memory (30 days)"),
    LEDGER("u{app:open}:l", "HASH requestId → send ledger entry",
        "TTL 8 days after the last new entry; entries older than that are pruned on claims"),
    UPLOADS("u{app:open}:uploads:<window>", "counter of one minute's uploads", "TTL two windows"),
    TEMPLATE_INDEX("idx{app:shard}:t", "ZSET of users with form_ids/prepay_ids, by openId",
        "users leave it when the sweep finds their pool empty"),
    GRANT_INDEX("idx{app:shard}:g:<template>", "ZSET of users with grants of a template", "as TEMPLATE_INDEX"),
    PUSH_STATUS("push{request}:s", "HASH of a push's state, counters and fan-out cursor", "TTL 8 days from acceptance"),
    PUSH_REASONS("push{request}:r", "HASH reason → users", "the status's TTL, set with the first outcome"),
    PUSH_OUTCOMES("push{request}:o", "HASH openId → outcome code", "the status's TTL, set with the first outcome"),
    PUSH_REQUEST("push{request}:q", "the accepted request (idempotency marker)", "TTL 8 days"),
    TOKEN("token{app}", "the app's access token", "TTL its lifetime less 200 s"),
    TOKEN_LOCK("token{app}:lock", "the refresh lock", "TTL the lock's lease"),
    PAUSE("pause{app}", "a quota pause (45011/45009) with its end", "TTL the pause"),
    SEND_RATE("rate{app}:<window>", "counter of one second's sends", "TTL two windows");

    private final String pattern;
    private final String holds;
    private final String retention;
    private final java.util.regex.Pattern regex;

    Family(String pattern, String holds, String retention) {
      this.pattern = pattern;
      this.holds = holds;
      this.retention = retention;
      String any = "[^:{}]+";
      this.regex = java.util.regex.Pattern.compile(java.util.regex.Pattern.quote(pattern)
          .replace("{app:open}", "\\E\\{" + any + ":" + any + "\\}\\Q")
          .replace("{app:shard}", "\\E\\{" + any + ":[0-9]+\\}\\Q")
          .replace("{request}", "\\E\\{[^}]+\\}\\Q")
          .replace("{app}", "\\E\\{" + any + "\\}\\Q")
          .replace("<template>", "\\E" + any + "\\Q")
          .replace("<window>", "\\E[0-9]+\\Q"));
    }

    /** True when a key (without the prefix) belongs to this family. */
    public boolean matches(String keyAfterPrefix) {
      return regex.matcher(keyAfterPrefix).matches();
    }

    /** True when every key of the family carries a TTL (the others are swept, or kept). */
    public boolean expires() {
      return switch (this) {
        case POOL, GRANTS, GRANT_TEMPLATES, TEMPLATE_INDEX, GRANT_INDEX -> false;
        default -> true;
      };
    }

    /** The family a key (without the prefix) belongs to, if any. */
    public static java.util.Optional<Family> of(String keyAfterPrefix) {
      for (Family f : values()) if (f.matches(keyAfterPrefix)) return java.util.Optional.of(f);
      return java.util.Optional.empty();
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
    return user(user) + ":pool";
  }

  /** {@link Family#GRANTS}. */
  public String grants(UserRef user, String templateId) {
    return user(user) + ":g:" + templateId;
  }

  /** {@link Family#GRANT_TEMPLATES}. */
  public String grantTemplates(UserRef user) {
    return user(user) + ":gt";
  }

  /** {@link Family#SPENT}. */
  public String spent(UserRef user) {
    return user(user) + ":spent";
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

  private String push(String requestId) {
    return prefix + "push{" + requestId + "}";
  }

  /** {@link Family#PUSH_STATUS}. */
  public String pushStatus(String requestId) {
    return push(requestId) + ":s";
  }

  /** {@link Family#PUSH_REASONS}. */
  public String pushReasons(String requestId) {
    return push(requestId) + ":r";
  }

  /** {@link Family#PUSH_OUTCOMES}. */
  public String pushOutcomes(String requestId) {
    return push(requestId) + ":o";
  }

  /** {@link Family#PUSH_REQUEST}. */
  public String pushRequest(String requestId) {
    return push(requestId) + ":q";
  }

  /** {@link Family#TOKEN}. */
  public String token(String appId) {
    return prefix + "token{" + appId + "}";
  }

  /** {@link Family#TOKEN_LOCK}. */
  public String tokenLock(String appId) {
    return token(appId) + ":lock";
  }

  /** {@link Family#PAUSE}. */
  public String pause(String appId) {
    return prefix + "pause{" + appId + "}";
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
}
