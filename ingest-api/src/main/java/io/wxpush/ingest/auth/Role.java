package io.wxpush.ingest.auth;

import java.util.Locale;
import java.util.Optional;

/**
 * What a push API key may do ({@code PUSH_API_KEYS} entry {@code …@role}), each role able to do
 * all that the one before it can: a {@link #VIEWER} reads; an {@link #OPERATOR} also creates,
 * cancels and retries pushes; an {@link #ADMIN} also changes an app's policy and reads the audit
 * trail. A key without a role is an admin (keys written before roles existed keep what they could do).
 */
public enum Role {
  VIEWER,
  OPERATOR,
  ADMIN;

  /** The role of an entry that names none. */
  public static final Role DEFAULT = ADMIN;

  /** Its name in {@code PUSH_API_KEYS} and in answers: {@code viewer}, {@code operator}, {@code admin}. */
  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** True when a key of this role may do what needs {@code needed}. */
  public boolean allows(Role needed) {
    return compareTo(needed) >= 0;
  }

  /** The role named {@code wire} (as {@link #wire()} spells it), if any. */
  public static Optional<Role> of(String wire) {
    for (Role r : values()) if (r.wire().equals(wire)) return Optional.of(r);
    return Optional.empty();
  }
}
