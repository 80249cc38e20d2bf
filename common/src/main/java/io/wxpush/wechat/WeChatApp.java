package io.wxpush.wechat;

import io.wxpush.secret.Secret;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One mini-program this deployment serves: its appId and app secret, and its message-push
 * settings from the WeChat console when the events endpoint is to be used: the Token, and the
 * EncodingAESKey for compatible and safe modes.
 */
public record WeChatApp(String appId, Secret secret, Optional<Secret> pushToken, Optional<Secret> encodingAesKey) {
  private static final Pattern APP_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");
  private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9]{3,32}");

  public WeChatApp {
    if (appId == null || !APP_ID.matcher(appId).matches()) {
      throw new IllegalArgumentException("appId must be 1-64 letters, digits, '_' or '-'");
    }
    if (secret == null) throw new IllegalArgumentException("secret is required");
    pushToken = pushToken == null ? Optional.empty() : pushToken;
    encodingAesKey = encodingAesKey == null ? Optional.empty() : encodingAesKey;
    if (pushToken.isPresent() && !TOKEN.matcher(pushToken.get().reveal()).matches()) {
      throw new IllegalArgumentException("the message-push token must be 3-32 letters or digits");
    }
    if (encodingAesKey.isPresent()) {
      if (pushToken.isEmpty()) throw new IllegalArgumentException("an EncodingAESKey needs the token before it");
      decodeAesKey(encodingAesKey.get().reveal());
    }
  }

  /** An app without message-push settings. */
  public WeChatApp(String appId, Secret secret) {
    this(appId, secret, Optional.empty(), Optional.empty());
  }

  /** The 32-byte AES key an EncodingAESKey stands for; throws when it is not 43 base64 characters. */
  public static byte[] decodeAesKey(String encodingAesKey) {
    if (encodingAesKey == null || encodingAesKey.length() != 43) throw new IllegalArgumentException("an EncodingAESKey has 43 characters");
    byte[] key;
    try {
      key = Base64.getDecoder().decode(encodingAesKey + "=");
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("an EncodingAESKey is base64 (A-Z, a-z, 0-9, +, /)");
    }
    if (key.length != 32) throw new IllegalArgumentException("an EncodingAESKey decodes to 32 bytes");
    return key;
  }

  /**
   * Parses {@code appId:secret[:token[:encodingAesKey]][,…]} (the {@code WECHAT_APPS} format),
   * keyed by appId in the order given. Error messages never repeat a secret.
   */
  public static Map<String, WeChatApp> parseList(String spec) {
    Map<String, WeChatApp> apps = new LinkedHashMap<>();
    int position = 0;
    for (String entry : spec.split(",")) {
      position++;
      String trimmed = entry.trim();
      String[] f = trimmed.split(":", -1);
      if (f.length < 2 || f.length > 4 || f[0].isEmpty() || f[1].isEmpty() || (f.length > 2 && f[2].isEmpty()) || (f.length > 3 && f[3].isEmpty())) {
        throw new IllegalArgumentException("entry " + position + " is not appId:secret[:token[:encodingAesKey]]");
      }
      String appId = f[0];
      WeChatApp app;
      try {
        app = new WeChatApp(appId, Secret.of(f[1]), f.length > 2 ? Optional.of(Secret.of(f[2])) : Optional.empty(),
            f.length > 3 ? Optional.of(Secret.of(f[3])) : Optional.empty());
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
