package io.wxpush.secret;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * A value that must never reach a log line: {@link #toString()} is masked, and only
 * {@link #reveal()} hands out the text, so a careless string concatenation prints {@code ****}.
 */
public final class Secret {
  private final String value;

  private Secret(String value) {
    this.value = value;
  }

  public static Secret of(String value) {
    if (value == null || value.isEmpty()) throw new IllegalArgumentException("secret is empty");
    return new Secret(value);
  }

  /** The secret text; call only where it is sent to the one party that needs it. */
  public String reveal() {
    return value;
  }

  public byte[] bytes() {
    return value.getBytes(StandardCharsets.UTF_8);
  }

  /** Compares in time independent of where the texts differ. */
  public boolean matches(String candidate) {
    if (candidate == null) return false;
    return MessageDigest.isEqual(bytes(), candidate.getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Secret s && MessageDigest.isEqual(bytes(), s.bytes());
  }

  @Override
  public int hashCode() {
    return value.hashCode();
  }

  @Override
  public String toString() {
    return "****";
  }
}
