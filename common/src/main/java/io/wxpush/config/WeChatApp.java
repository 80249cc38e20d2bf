package io.wxpush.config;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/** One mini-program this deployment serves: its appId and app secret. */
public record WeChatApp(String appId, Secret secret) {
  private static final Pattern APP_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");

  public WeChatApp {
    if (appId == null || !APP_ID.matcher(appId).matches()) {
      throw new IllegalArgumentException("appId must be 1-64 letters, digits, '_' or '-'");
    }
    if (secret == null) throw new IllegalArgumentException("secret is required");
  }

  /**
   * Parses {@code appId:secret[,appId:secret…]} (the {@code WECHAT_APPS} format), keyed by
   * appId in the order given. Error messages never repeat a secret.
   */
  public static Map<String, WeChatApp> parseList(String spec) {
    Map<String, WeChatApp> apps = new LinkedHashMap<>();
    int position = 0;
    for (String entry : spec.split(",")) {
      position++;
      String trimmed = entry.trim();
      int colon = trimmed.indexOf(':');
      if (colon <= 0 || colon == trimmed.length() - 1) {
        throw new IllegalArgumentException("entry " + position + " is not appId:secret");
      }
      String appId = trimmed.substring(0, colon);
      WeChatApp app;
      try {
        app = new WeChatApp(appId, Secret.of(trimmed.substring(colon + 1)));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("entry " + position + ": " + e.getMessage());
      }
      if (apps.putIfAbsent(appId, app) != null) {
        throw new IllegalArgumentException("appId " + appId + " is listed twice");
      }
    }
    return apps;
  }
}
