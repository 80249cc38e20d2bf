package io.wxpush.ingest.templates;

import io.wxpush.client.PushRequest;
import io.wxpush.templates.AppTemplates;
import io.wxpush.templates.Template;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Checks a push's {@code templateId} and {@code data} against the template it names, before a
 * credential is spent on it: one field error per problem, in the shape of the parser's
 * ({@code {"field","message"}}). Subscribe pushes are checked against WeChat's list (when it is
 * loaded: until then nothing can be said, and WeChat's 47003 remains the check); template-message
 * pushes only against {@code LEGACY_TEMPLATES}, when it lists the app. Stateless and thread-safe.
 */
public final class TemplateCheck {
  private TemplateCheck() {}

  /**
   * @param subscribe the app's subscribe templates, empty while not yet loaded
   * @param legacy the app's listed legacy templates by id, empty when the operator lists none
   * @return the problems; empty when the push may be sent
   */
  public static List<Map<String, String>> problems(PushRequest push, Optional<AppTemplates> subscribe, Map<String, Template> legacy) {
    if (push.subscribe()) {
      if (subscribe.isEmpty()) return List.of();
      Optional<Template> t = subscribe.get().find(push.templateId());
      if (t.isEmpty()) {
        return List.of(error("templateId", "is not a subscribe template of app " + push.appId()
            + " (GET /v1/templates?appId=" + push.appId() + " lists them)"));
      }
      return dataProblems(t.get(), push.data(), true);
    }
    if (legacy.isEmpty()) return List.of();
    Template t = legacy.get(push.templateId());
    if (t == null) return List.of(error("templateId", "is not a template listed for app " + push.appId() + " in LEGACY_TEMPLATES"));
    return t.checkKeys() ? dataProblems(t, push.data(), false) : List.of();
  }

  private static List<Map<String, String>> dataProblems(Template t, Map<String, String> data, boolean subscribe) {
    List<Map<String, String>> errors = new ArrayList<>();
    String names = t.keywords().stream().map(Template.Keyword::name).collect(Collectors.joining(", "));
    for (String key : new java.util.TreeSet<>(data.keySet())) {
      if (t.keyword(key).isEmpty()) errors.add(error("data." + key, "is not a keyword of template " + t.id() + " (it has: " + names + ")"));
    }
    if (!subscribe) return errors; // a template message may leave keywords out; WeChat gives no value rules for it
    for (Template.Keyword k : t.keywords()) {
      String value = data.get(k.name());
      if (value == null) errors.add(error("data." + k.name(), "is required by template " + t.id()));
      else k.rule().problem(value).ifPresent(p -> errors.add(error("data." + k.name(), p)));
    }
    return errors;
  }

  private static Map<String, String> error(String field, String message) {
    return Map.of("field", field, "message", message);
  }
}
