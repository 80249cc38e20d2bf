package io.wxpush.sim;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The {@code wx.login} codes the sim minted, each exchangeable once through
 * {@code sns/jscode2session} within 5 minutes (sim clock) for its app. Thread-safe.
 */
final class LoginCodes {
  static final long LIFETIME_MILLIS = Duration.ofMinutes(5).toMillis();
  private static final SecureRandom RANDOM = new SecureRandom();

  private record Pending(String appId, String openId, long expiresAt) {}

  private final Map<String, Pending> pending = new ConcurrentHashMap<>();

  String mint(String appId, String openId, long now) {
    byte[] bytes = new byte[16];
    RANDOM.nextBytes(bytes);
    String code = "simcode" + HexFormat.of().formatHex(bytes);
    pending.put(code, new Pending(appId, openId, now + LIFETIME_MILLIS));
    return code;
  }

  /** The openId the code was minted for, or {@code null} (40029) when unknown, used, expired or another app's. */
  String redeem(String appId, String code, long now) {
    if (code == null) return null;
    Pending p = pending.get(code);
    if (p == null || !p.appId().equals(appId)) return null;
    if (!pending.remove(code, p)) return null;
    return now < p.expiresAt() ? p.openId() : null;
  }

  void clear() {
    pending.clear();
  }
}
