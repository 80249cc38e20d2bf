package io.wxpush.sim;

import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * A template the sim knows for one app: its keywords (the keys {@code data} may carry), its
 * kind, and the pages a message may open. An empty page set accepts any page; an absent or
 * empty page is always accepted. A long-term subscribe template ({@code longTerm}, gettemplate's
 * {@code type} 3) is sent again and again on one accept, until the user turns it off.
 */
public record SimTemplate(String appId, String templateId, Kind kind, List<String> keywords, Set<String> pages, boolean longTerm) {
  /** Which send endpoint a template belongs to. */
  public enum Kind {
    /** Legacy template message, {@code cgi-bin/message/wxopen/template/send}, spent with form_id/prepay_id. */
    TEMPLATE,
    /** Subscribe message, {@code cgi-bin/message/subscribe/send}, spent with a subscription grant. */
    SUBSCRIBE;

    /** The lower-case name used in JSON ({@code template} or {@code subscribe}). */
    public String wireName() {
      return this == TEMPLATE ? "template" : "subscribe";
    }

    /** Parses {@code template} or {@code subscribe} (any case). */
    public static Kind parse(String text) {
      return switch (text == null ? "" : text.trim().toLowerCase(Locale.ROOT)) {
        case "template" -> TEMPLATE;
        case "subscribe" -> SUBSCRIBE;
        default -> throw new IllegalArgumentException("kind must be template or subscribe, not '" + text + "'");
      };
    }
  }

  /** A legacy template, or a one-time subscribe template. */
  public SimTemplate(String appId, String templateId, Kind kind, List<String> keywords, Set<String> pages) {
    this(appId, templateId, kind, keywords, pages, false);
  }

  public SimTemplate {
    if (longTerm && kind != Kind.SUBSCRIBE) throw new IllegalArgumentException("only a subscribe template can be long-term");
    Objects.requireNonNull(appId, "appId");
    Objects.requireNonNull(templateId, "templateId");
    Objects.requireNonNull(kind, "kind");
    if (appId.isBlank()) throw new IllegalArgumentException("appId is blank");
    if (templateId.isBlank()) throw new IllegalArgumentException("templateId is blank");
    keywords = List.copyOf(keywords == null ? List.of() : keywords);
    pages = Set.copyOf(pages == null ? Set.of() : pages);
  }

  /** Whether a message may open {@code page}. */
  public boolean acceptsPage(String page) {
    return page == null || page.isEmpty() || pages.isEmpty() || pages.contains(page);
  }
}
