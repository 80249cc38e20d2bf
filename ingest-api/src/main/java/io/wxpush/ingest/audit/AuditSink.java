package io.wxpush.ingest.audit;

import io.wxpush.ingest.auth.ApiKey;

/**
 * Where a handler reports a change once its effect is durable (the push acknowledged by Kafka, the
 * cancel written in Redis, …): {@link AuditTrail} here, {@link #NONE} in tests that check no audit.
 * Never throws: the change is made, and its answer must not turn into an error (BRIEF §3 v3).
 */
@FunctionalInterface
public interface AuditSink {
  /** Ignores every change. */
  AuditSink NONE = (key, app, action, target, outcome) -> { };

  /**
   * Records that {@code key} did {@code action} on {@code target} of {@code app}, which ended in {@code outcome}.
   */
  void changed(ApiKey key, String app, AuditAction action, String target, String outcome);
}
