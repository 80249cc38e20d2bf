package io.wxpush.sim;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The templates each app has, by app and template id. Thread-safe; registering again replaces. */
final class TemplateRegistry {
  private final Map<String, Map<String, SimTemplate>> byApp = new ConcurrentHashMap<>();

  void register(SimTemplate template) {
    byApp.computeIfAbsent(template.appId(), k -> new ConcurrentHashMap<>()).put(template.templateId(), template);
  }

  /** The template, or {@code null} when the app has none by that id. */
  SimTemplate find(String appId, String templateId) {
    Map<String, SimTemplate> templates = byApp.get(appId);
    return templates == null || templateId == null ? null : templates.get(templateId);
  }

  List<SimTemplate> all() {
    return byApp.values().stream().flatMap(m -> m.values().stream()).toList();
  }

  void clear() {
    byApp.clear();
  }
}
