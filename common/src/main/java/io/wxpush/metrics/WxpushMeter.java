package io.wxpush.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.List;
import java.util.function.Supplier;

/**
 * Every meter wxpush defines, with its description and its tag keys. Tag values come from small
 * fixed sets (reason codes, outcome classes, kinds, route templates, app ids), never from raw
 * input, so series stay bounded. Prometheus names: dots become underscores, counters end in
 * {@code _total}, timers in {@code _seconds}.
 */
public enum WxpushMeter {
  CREDENTIALS_RECEIVED("wxpush.credentials.received", "Credentials accepted by ingest-api and acknowledged by Kafka"),
  CREDENTIALS_REJECTED("wxpush.credentials.rejected", "Uploaded credentials refused, by reason", "reason"),
  CREDENTIALS_STORED("wxpush.credentials.stored", "Credential entries newly written to pools by the sink"),
  CREDENTIALS_INVALID_RECORDS("wxpush.credentials.invalid.records", "Records on the credentials topic that could not be read"),
  CREDENTIALS_EXPIRED("wxpush.credentials.expired", "Expired credential entries dropped by the sweep"),
  SWEEP_SHARD("wxpush.sweep.shard", "Time to sweep one index shard (its users' pools and the index)"),
  CREDENTIALS_CLAIMED("wxpush.credentials.claimed", "Credentials claimed for a send, by kind", "kind"),
  SENDS("wxpush.sends", "WeChat send answers, by class (sent, token, credential, user, request, quota, transient)", "outcome"),
  WECHAT_CALL("wxpush.wechat.call", "Latency of WeChat send calls", "endpoint"),
  TOKEN_REFRESHES("wxpush.token.refreshes", "Access tokens fetched from WeChat, by app", "app"),
  WECHAT_EVENTS("wxpush.wechat.events", "Messages WeChat pushed to /v1/wechat/{appId}/events, by event (other: not handled)", "event"),
  EVENTS_APPLIED("wxpush.events.applied", "WeChat events the credentials role applied, by effect (grant, drop, late_failure, settled_sent, settled_failed, "
      + "unsettled, ignored)", "effect"),
  GRANTS_REFUSED("wxpush.credentials.grants.refused", "Grants not stored: their user already holds grants of MAX_GRANT_TEMPLATES templates"),
  TEMPLATE_REFRESHES("wxpush.templates.refreshes", "Template lists asked of WeChat (gettemplate), by app and outcome (loaded, failed)",
      "app", "outcome"),
  PUSHES_UNCHECKED("wxpush.pushes.unchecked", "Subscribe pushes accepted before the app's template list was loaded (not checked)", "app"),
  FANOUT_PAGES("wxpush.fanout.pages", "Fan-out pages published"),
  FANOUT_TASKS("wxpush.fanout.tasks", "Push tasks published by the fan-out"),
  TASKS_HELD("wxpush.sender.tasks.held", "Tasks held back by their app's quiet hours (published again when they end)"),
  DLQ_RECORDS("wxpush.dlq.records", "Tasks moved to the DLQ, by reason", "reason"),
  PUSH_OUTCOMES("wxpush.push.outcomes", "Final outcomes of (push, user), by outcome", "outcome"),
  CALLBACKS_IN_FLIGHT("wxpush.callbacks.in.flight", "Callback POSTs this ingest-api runs now, by app (at most CALLBACK_CONCURRENCY each)", "app"),
  CALLBACKS_STUCK("wxpush.callbacks.stuck", "Callback POSTs running more than 10 s past their CALLBACK_TIMEOUT deadline (should stay 0)"),
  CALLBACK_ATTEMPTS("wxpush.callbacks.attempts", "Callback POSTs ended, by app and outcome (delivered, failed, gave_up)", "app", "outcome"),
  HTTP_REQUESTS("http.server.requests", "HTTP requests served, by method, route template and status", "method", "uri", "status");

  private final String meterName;
  private final String description;
  private final List<String> tagKeys;

  WxpushMeter(String meterName, String description, String... tagKeys) {
    this.meterName = meterName;
    this.description = description;
    this.tagKeys = List.of(tagKeys);
  }

  public String meterName() {
    return meterName;
  }

  public String description() {
    return description;
  }

  public List<String> tagKeys() {
    return tagKeys;
  }

  /** The counter for these tag values, given in the order of {@link #tagKeys()}. */
  public Counter counter(MeterRegistry registry, String... tagValues) {
    return Counter.builder(meterName).description(description).tags(tags(tagValues)).register(registry);
  }

  /** The timer (with a percentile histogram) for these tag values. */
  public Timer timer(MeterRegistry registry, String... tagValues) {
    return Timer.builder(meterName).description(description).tags(tags(tagValues)).publishPercentileHistogram().register(registry);
  }

  /** A gauge reading {@code value} for these tag values (the registry holds {@code value} strongly). */
  public Gauge gauge(MeterRegistry registry, Supplier<Number> value, String... tagValues) {
    return Gauge.builder(meterName, value).description(description).tags(tags(tagValues)).strongReference(true).register(registry);
  }

  private String[] tags(String... values) {
    if (values.length != tagKeys.size()) throw new IllegalArgumentException(name() + " takes tags " + tagKeys);
    String[] kv = new String[values.length * 2];
    for (int i = 0; i < values.length; i++) {
      kv[2 * i] = tagKeys.get(i);
      kv[2 * i + 1] = values[i];
    }
    return kv;
  }
}
