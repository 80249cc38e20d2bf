package io.wxpush.ingest.credentials;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.wxpush.credentials.CredentialValidator;
import io.wxpush.metrics.WxpushMeter;

/** Counts uploaded credentials: accepted, and rejected by reason (a bounded set of codes). */
public final class UploadMeters {
  private final MeterRegistry registry;
  private final Counter accepted;

  public UploadMeters(MeterRegistry registry) {
    this.registry = registry;
    this.accepted = WxpushMeter.CREDENTIALS_RECEIVED.counter(registry);
    // registered up front so every reason shows (at 0) before the first rejection
    CredentialValidator.REASONS.forEach(reason -> WxpushMeter.CREDENTIALS_REJECTED.counter(registry, reason));
  }

  public void accepted(int n) {
    accepted.increment(n);
  }

  public void rejected(String reason) {
    WxpushMeter.CREDENTIALS_REJECTED.counter(registry, reason).increment();
  }
}
