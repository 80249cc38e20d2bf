package io.wxpush.sim;

import java.util.Comparator;
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

  /** Removes the template (as deleting it in the WeChat console does); true when there was one. */
  boolean remove(String appId, String templateId) {
    Map<String, SimTemplate> templates = byApp.get(appId);
    return templates != null && templates.remove(templateId) != null;
  }

  /** The app's templates of one kind, by id. */
  List<SimTemplate> of(String appId, SimTemplate.Kind kind) {
    Map<String, SimTemplate> templates = byApp.get(appId);
    if (templates == null) return List.of();
    return templates.values().stream().filter(t -> t.kind() == kind)
        .sorted(Comparator.comparing(SimTemplate::templateId)).toList();
  }

  List<SimTemplate> all() {
    return byApp.values().stream().flatMap(m -> m.values().stream()).toList();
  }

  void clear() {
    byApp.clear();
  }
}
