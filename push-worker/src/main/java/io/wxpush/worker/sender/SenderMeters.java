package io.wxpush.worker.sender;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.wxpush.credentials.CredentialKind;
import io.wxpush.push.Outcome;
import io.wxpush.wechat.ErrorClass;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;

/** The sender's meters, created once; tags come from small enums, so they stay bounded. */
final class SenderMeters {
  private final MeterRegistry registry;
  private final Map<ErrorClass, Counter> sends = new EnumMap<>(ErrorClass.class);
  private final Map<Outcome, Counter> outcomes = new EnumMap<>(Outcome.class);
  private final Map<CredentialKind, Counter> claimed = new EnumMap<>(CredentialKind.class);
  private final Map<String, Timer> calls = new java.util.concurrent.ConcurrentHashMap<>();

  SenderMeters(MeterRegistry registry) {
    this.registry = registry;
    for (ErrorClass c : ErrorClass.values()) {
      sends.put(c, Counter.builder("wxpush.sends").description("WeChat send answers by class").tag("outcome", c.name().toLowerCase()).register(registry));
    }
    for (Outcome o : Outcome.values()) {
      outcomes.put(o, Counter.builder("wxpush.push.outcomes").description("Final outcomes of (push, user)").tag("outcome", o.name().toLowerCase()).register(registry));
    }
    for (CredentialKind k : CredentialKind.values()) {
      claimed.put(k, Counter.builder("wxpush.credentials.claimed").description("Credentials claimed for a send").tag("kind", k.wire()).register(registry));
    }
  }

  void send(ErrorClass c, String endpoint, Duration took) {
    sends.get(c).increment();
    calls.computeIfAbsent(endpoint, e -> Timer.builder("wxpush.wechat.call").description("WeChat send call latency")
        .tag("endpoint", e).publishPercentileHistogram().register(registry)).record(took);
  }

  void outcome(Outcome o) {
    outcomes.get(o).increment();
  }

  void claimed(CredentialKind k) {
    claimed.get(k).increment();
  }

  void dlq(String reason) {
    Counter.builder("wxpush.dlq.records").description("Tasks moved to the DLQ, by reason").tag("reason", reason).register(registry).increment();
  }
}
