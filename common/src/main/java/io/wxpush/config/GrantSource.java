package io.wxpush.config;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Where an app's subscribe grants come from ({@code GRANT_SOURCE}): the client's uploads, WeChat's
 * {@code subscribe_msg_popup_event}s, or both. Rejections from WeChat apply whatever the source.
 */
public enum GrantSource {
  /** Client uploads only; popup events' accepts are not counted (they would count each accept twice). */
  CLIENT,
  /** Popup events only: authoritative, and no client can mint a grant; uploads of grants are refused. */
  EVENTS,
  /** Both; an event and a client grant of the same user and template within {@link #MATCH_WINDOW_SECONDS} count once. */
  BOTH;

  /** How far apart an event's CreateTime and a client grant's collectedAt may be to be taken for one accept. */
  public static final int MATCH_WINDOW_SECONDS = 60;

  public boolean clientGrants() {
    return this != EVENTS;
  }

  public boolean eventGrants() {
    return this != CLIENT;
  }

  /** Parses {@code appId:client|events|both[,…]}; apps not listed take {@link #CLIENT}. Throws naming the bad entry. */
  public static Map<String, GrantSource> parse(String spec, Set<String> apps) {
    Map<String, GrantSource> out = new HashMap<>();
    for (String part : spec.split(",")) {
      String entry = part.trim();
      if (entry.isEmpty()) continue;
      int colon = entry.indexOf(':');
      if (colon <= 0) throw new IllegalArgumentException("'" + entry + "' is not appId:client|events|both");
      String app = entry.substring(0, colon);
      if (!apps.contains(app)) throw new IllegalArgumentException("'" + entry + "' names app " + app + ", which WECHAT_APPS does not list");
      GrantSource source = switch (entry.substring(colon + 1).trim().toLowerCase(Locale.ROOT)) {
        case "client" -> CLIENT;
        case "events" -> EVENTS;
        case "both" -> BOTH;
        default -> throw new IllegalArgumentException("'" + entry + "': the source is client, events or both");
      };
      out.put(app, source);
    }
    return Map.copyOf(out);
  }
}
