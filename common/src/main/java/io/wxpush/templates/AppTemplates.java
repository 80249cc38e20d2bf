package io.wxpush.templates;

import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * An app's subscribe templates as last read from WeChat, shared by the fleet through Redis: the
 * list, when it was loaded, and the templates a send found removed since (40037).
 *
 * @param loadedAtMs when WeChat answered the list (epoch ms)
 * @param templates by {@code priTmplId}
 * @param gone ids WeChat answered 40037 for since that list was loaded
 */
public record AppTemplates(String appId, long loadedAtMs, Map<String, Template> templates, Set<String> gone) {
  public AppTemplates {
    templates = Map.copyOf(templates);
    gone = Set.copyOf(gone);
  }

  /** The template, unless WeChat does not list it or answered that it is gone. */
  public Optional<Template> find(String templateId) {
    if (templateId == null || gone.contains(templateId)) return Optional.empty();
    return Optional.ofNullable(templates.get(templateId));
  }
}
