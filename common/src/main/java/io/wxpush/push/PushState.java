package io.wxpush.push;

import java.util.Locale;
import java.util.Optional;

/**
 * The states of a push (BRIEF rule 10), and the one place that says which of them are final: no
 * send of a push in a final state starts any more and none is in flight; only a retry round
 * reopens one ({@link PushTransition#RETRY_ROUND}). The moves between them are {@link PushTransition}.
 */
public enum PushState {
  /** Accepted with a {@code sendAt} ahead: kept in its app's schedule until then. */
  SCHEDULED(false),
  /** Accepted (on Kafka, or being published): its fan-out has not begun. */
  ACCEPTED(false),
  /** Its fan-out is publishing one task per user, a page at a time. */
  FANNING_OUT(false),
  /** Its fan-out has finished (or it waits out quiet hours, with {@code resumesAt}); tasks are in flight. */
  SENDING(false),
  /** Every target has its outcome. */
  DONE(true),
  /** The request itself could not be processed. */
  FAILED(true),
  /** Cancelled, and nothing of it is in flight any more. */
  CANCELLED(true);

  private final boolean isFinal;
  private final String wire;

  PushState(boolean isFinal) {
    this.isFinal = isFinal;
    this.wire = name().toLowerCase(Locale.ROOT);
  }

  /** True for {@code done}, {@code failed} and {@code cancelled}. */
  public boolean isFinal() {
    return isFinal;
  }

  /** Its name in Redis, in the status JSON and in the API ({@code fanning_out}). */
  public String wire() {
    return wire;
  }

  /** The state of a wire name, if it is one. */
  public static Optional<PushState> of(String wire) {
    if (wire == null) return Optional.empty();
    for (PushState s : values()) if (s.wire.equals(wire)) return Optional.of(s);
    return Optional.empty();
  }

  /** True when {@code wire} names a final state. */
  public static boolean isFinal(String wire) {
    return of(wire).map(PushState::isFinal).orElse(false);
  }
}
