package io.wxpush.credentials;

/**
 * The Redis key layout of credential pools. Every key of one user carries the hash tag
 * {@code {appId:openId}}, so a Lua script over them runs on Redis Cluster too. The user index is
 * spread over {@link #INDEX_SHARDS} keys per app, each with its own hash tag.
 */
public record PoolKeys(String prefix) {
  /** Shards of the per-app user index; a broadcast pages through them one after another. */
  public static final int INDEX_SHARDS = 16;

  /** ZSET of the user's form_id and prepay_id entries, scored by expiry (epoch ms). */
  public String templatePool(UserRef user) {
    return prefix + "u" + user.hashTag() + ":pool";
  }

  /** ZSET of the user's grants for one subscribe template, scored by collection time. */
  public String grants(UserRef user, String templateId) {
    return prefix + "u" + user.hashTag() + ":g:" + templateId;
  }

  /** SET of template ids the user has (or had) grants for. */
  public String grantTemplates(UserRef user) {
    return prefix + "u" + user.hashTag() + ":gt";
  }

  /** ZSET of pool members already handed to a sender, scored by when they may be forgotten. */
  public String spent(UserRef user) {
    return prefix + "u" + user.hashTag() + ":spent";
  }

  /** HASH of the user's send ledger: requestId → that push's entry ({@link LedgerEntry}). */
  public String ledger(UserRef user) {
    return prefix + "u" + user.hashTag() + ":l";
  }

  /** Index shard (sorted by openId) of users with form_id/prepay_id entries. */
  public String templateIndex(String appId, int shard) {
    return prefix + "idx{" + appId + ":" + shard + "}:t";
  }

  /** Index shard (sorted by openId) of users with grants of {@code templateId}. */
  public String grantIndex(String appId, int shard, String templateId) {
    return prefix + "idx{" + appId + ":" + shard + "}:g:" + templateId;
  }

  /** The index shard a user belongs to; stable across processes and restarts. */
  public static int shardOf(String openId) {
    return Math.floorMod(openId.hashCode(), INDEX_SHARDS);
  }
}
