package io.wxpush.worker.sender;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.wxpush.credentials.CredentialKind;
import io.wxpush.metrics.WxpushMeter;
import io.wxpush.push.Outcome;
import io.wxpush.wechat.ErrorClass;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The sender's meters, created once; tags come from small enums, so they stay bounded. */
final class SenderMeters {
  private final MeterRegistry registry;
  private final Map<ErrorClass, Counter> sends = new EnumMap<>(ErrorClass.class);
  private final Map<Outcome, Counter> outcomes = new EnumMap<>(Outcome.class);
  private final Map<CredentialKind, Counter> claimed = new EnumMap<>(CredentialKind.class);
  private final Map<String, Timer> calls = new ConcurrentHashMap<>();
  private final Counter held;

  SenderMeters(MeterRegistry registry) {
    this.registry = registry;
    for (ErrorClass c : ErrorClass.values()) {
      sends.put(c, WxpushMeter.SENDS.counter(registry, c.name().toLowerCase()));
    }
    for (Outcome o : Outcome.values()) {
      outcomes.put(o, WxpushMeter.PUSH_OUTCOMES.counter(registry, o.name().toLowerCase()));
    }
    for (CredentialKind k : CredentialKind.values()) {
      claimed.put(k, WxpushMeter.CREDENTIALS_CLAIMED.counter(registry, k.wire()));
    }
    held = WxpushMeter.TASKS_HELD.counter(registry);
  }

  void heldBack() {
    held.increment();
  }

  void send(ErrorClass c, String endpoint, Duration took) {
    sends.get(c).increment();
    calls.computeIfAbsent(endpoint, e -> WxpushMeter.WECHAT_CALL.timer(registry, e)).record(took);
  }

  void outcome(Outcome o) {
    outcomes.get(o).increment();
  }

  void claimed(CredentialKind k) {
    claimed.get(k).increment();
  }

  void dlq(String reason) {
    WxpushMeter.DLQ_RECORDS.counter(registry, reason).increment();
  }
}
