package io.wxpush.ingest.auth;

import io.wxpush.secret.Secret;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * One entry of {@code PUSH_API_KEYS}: the key, and the apps it may act for ({@code key=appA|appB}),
 * or every app for a bare key (a single-team deployment's key).
 *
 * @param apps the apps it is scoped to; empty means every app served
 */
public record ApiKey(Secret secret, Optional<Set<String>> apps) {
  /** Shortest key accepted: 24 characters (e.g. {@code openssl rand -hex 16} gives 32). */
  public static final int MIN_LENGTH = 24;

  public ApiKey {
    apps = apps.map(Set::copyOf);
  }

  public static ApiKey everyApp(Secret secret) {
    return new ApiKey(secret, Optional.empty());
  }

  public static ApiKey scoped(Secret secret, Set<String> apps) {
    return new ApiKey(secret, Optional.of(apps));
  }

  public boolean mayActFor(String appId) {
    return apps.map(a -> a.contains(appId)).orElse(true);
  }

  /** The key's public name: 16 hex digits of its SHA-256, safe to store and to log. */
  public String fingerprint() {
    return PushApiKeys.fingerprint(secret);
  }

  /**
   * Parses the entries of {@code PUSH_API_KEYS} (already split at commas). Problems are added to
   * {@code problems} naming the entry by position, never by its text; {@code served} are the apps of
   * {@code WECHAT_APPS}, which a scope must stay within.
   */
  public static List<ApiKey> parseAll(String variable, List<Secret> entries, Set<String> served, List<String> problems) {
    List<ApiKey> out = new ArrayList<>();
    Set<Secret> seen = new HashSet<>();
    for (int i = 0; i < entries.size(); i++) {
      String entry = entries.get(i).reveal();
      String where = variable + " entry " + (i + 1);
      int eq = entry.indexOf('=');
      String key = (eq < 0 ? entry : entry.substring(0, eq)).trim();
      if (key.length() < MIN_LENGTH) {
        problems.add(where + ": the key is shorter than " + MIN_LENGTH + " characters (use e.g. `openssl rand -hex 16`)");
        continue;
      }
      if (!seen.add(Secret.of(key))) {
        problems.add(where + ": the key is listed twice");
        continue;
      }
      if (eq < 0) {
        out.add(everyApp(Secret.of(key)));
        continue;
      }
      Set<String> apps = new LinkedHashSet<>();
      for (String app : entry.substring(eq + 1).split("\\|")) {
        String a = app.trim();
        if (a.isEmpty()) continue;
        if (!served.contains(a)) problems.add(where + ": scoped to '" + a + "', which WECHAT_APPS does not list");
        apps.add(a);
      }
      if (apps.isEmpty()) problems.add(where + ": '=' must be followed by appId[|appId…]");
      else out.add(scoped(Secret.of(key), apps));
    }
    return out;
  }
}
