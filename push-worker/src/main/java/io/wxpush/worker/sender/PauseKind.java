package io.wxpush.worker.sender;

import java.util.Optional;

/** Why an app's sends are paused fleet-wide: one of WeChat's quota answers. */
enum PauseKind {
  /** 45011, a frequency limit: a short pause that tasks wait out, then retry. */
  RATE_LIMIT(45011),
  /** 45009, the daily quota: until WeChat's day ends (Beijing midnight); tasks meeting it go to the DLQ. */
  DAILY_QUOTA(45009);

  private final int errcode;

  PauseKind(int errcode) {
    this.errcode = errcode;
  }

  /** The errcode, as stored in Redis and used as the DLQ reason. */
  String code() {
    return Integer.toString(errcode);
  }

  /** A task that meets this pause ends (DLQ) instead of waiting it out. */
  boolean endsTask() {
    return this == DAILY_QUOTA;
  }

  static Optional<PauseKind> ofErrcode(int errcode) {
    for (PauseKind k : values()) if (k.errcode == errcode) return Optional.of(k);
    return Optional.empty();
  }

  static Optional<PauseKind> ofCode(String code) {
    try {
      return ofErrcode(Integer.parseInt(code));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }
}
