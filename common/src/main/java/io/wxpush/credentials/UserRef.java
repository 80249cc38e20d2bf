package io.wxpush.credentials;

import java.util.regex.Pattern;

/**
 * One mini-program user: an openId within an app. Both parts are restricted to characters that
 * cannot break a Redis hash tag or a Kafka key.
 */
public record UserRef(String appId, String openId) {
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");

  public UserRef {
    if (appId == null || !ID.matcher(appId).matches()) throw new IllegalArgumentException("appId must be 1-64 of [A-Za-z0-9_-]");
    if (openId == null || !ID.matcher(openId).matches()) throw new IllegalArgumentException("openId must be 1-64 of [A-Za-z0-9_-]");
  }

  public static boolean isValidId(String id) {
    return id != null && ID.matcher(id).matches();
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
