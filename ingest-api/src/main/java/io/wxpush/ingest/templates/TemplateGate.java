package io.wxpush.ingest.templates;

import io.micrometer.core.instrument.MeterRegistry;
import io.wxpush.metrics.WxpushMeter;
import io.wxpush.client.PushRequest;
import io.wxpush.templates.AppTemplates;
import io.wxpush.templates.Template;
import io.wxpush.templates.TemplateRegistry;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * What ingest-api asks of the template registry: may this push go out as it is written, may this
 * grant be stored. A template the list lacks (or no list yet) first asks the refresher for an
 * early look, so a template added at WeChat a moment ago is taken. Thread-safe.
 */
public final class TemplateGate {
  private final Function<String, Optional<AppTemplates>> registry;
  private final Function<String, Optional<AppTemplates>> refreshSoon;
  private final Map<String, Map<String, Template>> legacy;
  private final MeterRegistry meters;

  public TemplateGate(TemplateRegistry registry, TemplateRefresher refresher, Map<String, Map<String, Template>> legacy, MeterRegistry meters) {
    this(registry::get, refresher::refreshSoon, legacy, meters);
  }

  /** @param registry the app's list ({@link TemplateRegistry#get}); @param refreshSoon the same after an early refresh */
  public TemplateGate(Function<String, Optional<AppTemplates>> registry, Function<String, Optional<AppTemplates>> refreshSoon,
      Map<String, Map<String, Template>> legacy, MeterRegistry meters) {
    this.registry = registry;
    this.refreshSoon = refreshSoon;
    this.legacy = Map.copyOf(legacy);
    this.meters = meters;
  }

  /** The push's template problems as field errors; empty when it may be sent (or cannot be checked yet). */
  public List<Map<String, String>> problems(PushRequest push) {
    Optional<AppTemplates> list = Optional.empty();
    if (push.subscribe()) {
      list = registry.apply(push.appId());
      if (list.isEmpty() || list.get().find(push.templateId()).isEmpty()) list = refreshSoon.apply(push.appId());
      if (list.isEmpty()) WxpushMeter.PUSHES_UNCHECKED.counter(meters, push.appId()).increment();
    }
    return TemplateCheck.problems(push, list, legacy.getOrDefault(push.appId(), Map.of()));
  }

  /** False when the app's list is loaded and lacks {@code templateId}: a grant for it is {@code unknown_template}. */
  public boolean grantable(String appId, String templateId) {
    Optional<AppTemplates> list = registry.apply(appId);
    if (list.isPresent() && list.get().find(templateId).isPresent()) return true;
    list = refreshSoon.apply(appId);
    return list.isEmpty() || list.get().find(templateId).isPresent();
  }

  /** The app's list as last loaded, empty before the first load. */
  public Optional<AppTemplates> list(String appId) {
    Optional<AppTemplates> list = registry.apply(appId);
    return list.isPresent() ? list : refreshSoon.apply(appId);
  }

  /** The legacy templates the operator listed for the app. */
  public Map<String, Template> legacy(String appId) {
    return legacy.getOrDefault(appId, Map.of());
  }
}
