package io.wxpush.push;

/** The final outcome of one user of one push; each is counted once per (push, user). */
public enum Outcome {
  /** WeChat accepted the message (or answered 41029 to this push's own in-doubt retry). */
  SENT("s", "sent"),
  /** The user had no live credential of the right kind. */
  NO_CREDENTIAL("n", "noCredential"),
  /** Not sent, finally: refused by the user, a bad request, quota, retries exhausted, notAfter. */
  FAILED("f", "failed"),
  /** A subscribe send whose answer was lost: it may have been delivered, so it is not repeated. */
  UNKNOWN("u", "unknown"),
  /** Not sent: the push was cancelled before this user's send started (no credential spent). */
  CANCELLED("c", "cancelled");

  private final String code;
  private final String field;

  Outcome(String code, String field) {
    this.code = code;
    this.field = field;
  }

  /** The one-letter code kept per user. */
  public String code() {
    return code;
  }

  /** The status counter it increments (and the JSON field of the status answer). */
  public String field() {
    return field;
  }
}
