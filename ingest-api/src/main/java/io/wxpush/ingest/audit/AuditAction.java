package io.wxpush.ingest.audit;

/**
 * The changes the push API records in the audit trail, each with the name its records carry as
 * {@code "action"}. A call that changes nothing (a read, a refused call, an idempotent replay of
 * a push) has none.
 */
public enum AuditAction {
  /** {@code POST /v1/pushes} accepted a push (target: its requestId). */
  PUSH_CREATE("push.create"),
  /** {@code DELETE /v1/pushes/{requestId}} cancelled a push (target: its requestId). */
  PUSH_CANCEL("push.cancel"),
  /** {@code POST /v1/pushes/{requestId}/retry} started a retry round, or found nobody to retry (target: its requestId). */
  PUSH_RETRY("push.retry"),
  /** {@code PUT /v1/apps/{appId}/policy} replaced the app's policy (target: {@code policy}). */
  POLICY_PUT("policy.put");

  private final String wire;

  AuditAction(String wire) {
    this.wire = wire;
  }

  /** Its {@code "action"} in a record. */
  public String wire() {
    return wire;
  }
}
