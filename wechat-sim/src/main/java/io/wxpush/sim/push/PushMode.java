package io.wxpush.sim.push;

import java.util.Locale;

/**
 * The message encryption mode an app chose in the WeChat console: plaintext only, compatible
 * (the plaintext and its {@code Encrypt} side by side) or safe ({@code Encrypt} only).
 */
public enum PushMode {
  PLAINTEXT, COMPATIBLE, SAFE;

  /** {@code plaintext}, {@code compatible} or {@code safe}, any case; plaintext when absent. */
  public static PushMode parse(String s) {
    return valueOf(s == null ? "PLAINTEXT" : s.trim().toUpperCase(Locale.ROOT));
  }

  public boolean encrypts() {
    return this != PLAINTEXT;
  }
}
