package io.wxpush.templates;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One template of an app as wxpush checks pushes against it: a subscribe template as WeChat's
 * {@code wxaapi/newtmpl/gettemplate} lists it (its keywords read from {@code content}, e.g.
 * {@code 物品名称:{{thing1.DATA}}}), or a legacy template-message template an operator listed in
 * {@code LEGACY_TEMPLATES}.
 *
 * @param id {@code priTmplId}, or the legacy template id
 * @param title the template's title (empty for a legacy one)
 * @param content WeChat's content text (empty for a legacy one)
 * @param type WeChat's type: 2 one-time, 3 long-term; 0 for a legacy template
 * @param keywords the keys {@code data} may carry, in the order of the content
 * @param checkKeys false when a legacy template was listed without its keywords: any key is taken
 */
public record Template(String id, String title, String content, int type, List<Keyword> keywords, boolean checkKeys) {
  private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{\\s*([A-Za-z_]+[0-9]+)\\.DATA\\s*}}");

  /** A keyword of a template and the rule its value must keep. */
  public record Keyword(String name, KeywordRule rule) {
    public Keyword {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(rule, "rule");
    }

    public static Keyword named(String name) {
      return new Keyword(name, KeywordRule.of(name));
    }
  }

  public Template {
    Objects.requireNonNull(id, "id");
    title = title == null ? "" : title;
    content = content == null ? "" : content;
    keywords = List.copyOf(keywords);
  }

  /** A subscribe template from WeChat's list, its keywords read from {@code content}. */
  public static Template subscribe(String id, String title, String content, int type) {
    return new Template(id, title, content, type, keywordsOf(content), true);
  }

  /** A legacy template listed by the operator; with no keywords listed, any data key is taken. */
  public static Template legacy(String id, List<String> keywords) {
    return new Template(id, "", "", 0, keywords.stream().map(Keyword::named).toList(), !keywords.isEmpty());
  }

  /** The keywords {@code content} names, each once, in order. */
  static List<Keyword> keywordsOf(String content) {
    LinkedHashSet<String> names = new LinkedHashSet<>();
    Matcher m = PLACEHOLDER.matcher(content == null ? "" : content);
    while (m.find()) names.add(m.group(1));
    List<Keyword> out = new ArrayList<>();
    for (String n : names) out.add(Keyword.named(n));
    return out;
  }

  public Optional<Keyword> keyword(String name) {
    for (Keyword k : keywords) if (k.name().equals(name)) return Optional.of(k);
    return Optional.empty();
  }

  /**
   * Parses {@code LEGACY_TEMPLATES}: {@code appId:templateId[:kw1|kw2…]} entries separated by
   * commas; blank for none. Throws {@link IllegalArgumentException} naming the bad entry.
   *
   * @return by appId, each app's templates by id
   */
  public static Map<String, Map<String, Template>> parseLegacy(String spec, Set<String> apps) {
    Map<String, Map<String, Template>> out = new HashMap<>();
    for (String part : spec.split(",")) {
      String entry = part.trim();
      if (entry.isEmpty()) continue;
      String[] f = entry.split(":", -1);
      if (f.length < 2 || f.length > 3 || f[0].isBlank() || f[1].isBlank()) {
        throw new IllegalArgumentException("'" + entry + "' is not appId:templateId[:kw1|kw2…]");
      }
      if (!apps.contains(f[0])) throw new IllegalArgumentException("'" + entry + "' names app " + f[0] + ", which WECHAT_APPS does not list");
      List<String> keywords = new ArrayList<>();
      if (f.length == 3) {
        for (String k : f[2].split("\\|")) {
          if (k.isBlank()) continue;
          if (!k.trim().matches("[A-Za-z_]+[0-9]+")) throw new IllegalArgumentException("'" + entry + "': '" + k + "' is not a keyword name like keyword1");
          keywords.add(k.trim());
        }
      }
      out.computeIfAbsent(f[0], a -> new HashMap<>()).put(f[1], legacy(f[1], keywords));
    }
    Map<String, Map<String, Template>> frozen = new HashMap<>();
    out.forEach((app, t) -> frozen.put(app, Map.copyOf(t)));
    return Map.copyOf(frozen);
  }

  /** WeChat's {@code type} 3: one accept lets the app send it until the user turns it off. */
  public boolean longTerm() {
    return type == 3;
  }
}
