package io.wxpush.ingest.templates;

import io.javalin.http.Context;
import io.wxpush.ingest.auth.PushApiKeys;
import io.wxpush.redis.StoreUnavailableException;
import io.wxpush.templates.AppTemplates;
import io.wxpush.templates.Template;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code GET /v1/templates?appId=} (push API key scoped to the app): the app's subscribe templates
 * as WeChat last listed them, each keyword with its type and the limit a push's value must keep,
 * and the legacy templates the operator listed.
 */
public final class TemplatesHandler {
  private final PushApiKeys keys;
  private final TemplateGate gate;
  private final Set<String> apps;

  public TemplatesHandler(PushApiKeys keys, TemplateGate gate, Set<String> apps) {
    this.keys = keys;
    this.gate = gate;
    this.apps = Set.copyOf(apps);
  }

  public void list(Context ctx) {
    String appId = keys.requireForQueryApp(ctx, apps);
    Optional<AppTemplates> list = StoreUnavailableException.around("reading the templates of " + appId, () -> gate.list(appId));
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("appId", appId);
    answer.put("loaded", list.isPresent());
    answer.put("loadedAt", list.map(AppTemplates::loadedAtMs).orElse(null));
    List<Map<String, Object>> subscribe = new ArrayList<>();
    list.ifPresent(l -> l.templates().values().stream().sorted(Comparator.comparing(Template::id)).forEach(t -> {
      Map<String, Object> entry = describe(t);
      entry.put("gone", l.gone().contains(t.id()));
      subscribe.add(entry);
    }));
    answer.put("templates", subscribe);
    List<Map<String, Object>> legacy = new ArrayList<>();
    StoreUnavailableException.around("reading the templates of " + appId, () -> gate.legacy(appId)).values().stream().sorted(Comparator.comparing(Template::id)).forEach(t -> legacy.add(describe(t)));
    answer.put("legacyTemplates", legacy);
    ctx.json(answer);
  }

  /** One template as {@code GET /v1/templates} lists it: its keywords with their type, limit, maxLength and pattern. */
  static Map<String, Object> describe(Template t) {
    Map<String, Object> entry = new LinkedHashMap<>();
    entry.put("templateId", t.id());
    if (!t.title().isEmpty()) entry.put("title", t.title());
    if (!t.content().isEmpty()) entry.put("content", t.content());
    if (t.type() != 0) entry.put("type", t.type() == 3 ? "long_term" : "one_time");
    List<Map<String, Object>> keywords = new ArrayList<>();
    for (Template.Keyword k : t.keywords()) {
      Map<String, Object> kw = new LinkedHashMap<>();
      kw.put("name", k.name());
      if (t.type() != 0) { // a legacy template's values are not checked: WeChat gives no rules for them
        kw.put("type", k.rule().prefix().isEmpty() ? "other" : k.rule().prefix());
        kw.put("limit", k.rule().limit());
        if (k.rule().maxLength() > 0) kw.put("maxLength", k.rule().maxLength());
        if (!k.rule().pattern().isEmpty()) kw.put("pattern", k.rule().pattern());
      }
      keywords.add(kw);
    }
    entry.put("keywords", keywords);
    if (t.type() == 0 && !t.checkKeys()) entry.put("keywordsChecked", false);
    return entry;
  }
}
