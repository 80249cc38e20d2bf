package io.wxpush.ingest.credentials;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/** Counts uploaded credentials: accepted, and rejected by reason (a bounded set of codes). */
public final class UploadMeters {
  private final MeterRegistry registry;
  private final Counter accepted;

  public UploadMeters(MeterRegistry registry) {
    this.registry = registry;
    this.accepted = Counter.builder("wxpush.credentials.received").description("Credentials accepted by ingest-api and acknowledged by Kafka").register(registry);
  }

  public void accepted(int n) {
    accepted.increment(n);
  }

  public void rejected(String reason) {
    Counter.builder("wxpush.credentials.rejected").description("Uploaded credentials refused, by reason").tag("reason", reason).register(registry).increment();
  }
}
