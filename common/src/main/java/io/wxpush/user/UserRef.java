package io.wxpush.user;

/**
 * One mini-program user: an openId within an app. Both parts are restricted to characters that
 * cannot break a Redis hash tag or a Kafka key.
 */
public record UserRef(String appId, String openId) {
  public UserRef {
    if (!isValidId(appId)) throw new IllegalArgumentException("appId must be 1-64 of [A-Za-z0-9_-]");
    if (!isValidId(openId)) throw new IllegalArgumentException("openId must be 1-64 of [A-Za-z0-9_-]");
  }

  /**
   * 1-64 of {@code [A-Za-z0-9_-]}: checked by hand, not with a regex, since every task, upload and
   * event checks one or two (a regex matcher per check was ~2 % of a sender's CPU, issue 19).
   */
  public static boolean isValidId(String id) {
    if (id == null || id.isEmpty() || id.length() > 64) return false;
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-')) return false;
    }
    return true;
  }

  /** The Kafka key of this user's records: {@code appId:openId}. */
  public String kafkaKey() {
    return appId + ":" + openId;
  }

  public static UserRef fromKafkaKey(String key) {
    int colon = key.indexOf(':');
    if (colon < 0) throw new IllegalArgumentException("not appId:openId");
    return new UserRef(key.substring(0, colon), key.substring(colon + 1));
  }
}
