package io.wxpush.credentials;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.time.Duration;
import java.util.Optional;

/** The kinds of push credential a mini-program user generates. */
public enum CredentialKind {
  /** From a {@code <form report-submit>} submit: one template send within 7 days. */
  FORM_ID("form_id", 1, Optional.of(Duration.ofDays(7))),
  /** From a payment: three template sends within 7 days. */
  PREPAY_ID("prepay_id", 3, Optional.of(Duration.ofDays(7))),
  /** One accept of a one-time subscribe template: one subscribe send, no time limit. */
  SUBSCRIPTION("subscription", 1, Optional.empty());

  private final String wire;
  private final int sends;
  private final Optional<Duration> lifetime;

  CredentialKind(String wire, int sends, Optional<Duration> lifetime) {
    this.wire = wire;
    this.sends = sends;
    this.lifetime = lifetime;
  }

  @JsonValue
  public String wire() {
    return wire;
  }

  /** How many sends one credential of this kind allows. */
  public int sends() {
    return sends;
  }

  /** How long a credential of this kind is valid after it was collected; empty = no limit. */
  public Optional<Duration> lifetime() {
    return lifetime;
  }

  @JsonCreator
  public static CredentialKind fromWire(String wire) {
    for (CredentialKind kind : values()) {
      if (kind.wire.equals(wire)) return kind;
    }
    throw new IllegalArgumentException("unknown credential kind: " + wire);
  }

  public static Optional<CredentialKind> parse(String wire) {
    for (CredentialKind kind : values()) {
      if (kind.wire.equals(wire)) return Optional.of(kind);
    }
    return Optional.empty();
  }
}
