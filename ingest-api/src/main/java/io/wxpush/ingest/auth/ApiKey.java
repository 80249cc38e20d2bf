package io.wxpush.ingest.auth;

import io.wxpush.secret.Secret;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * One entry of {@code PUSH_API_KEYS}: the key, the apps it may act for ({@code key=appA|appB}),
 * or every app for a bare key (a single-team deployment's key), and its {@link Role}
 * ({@code …@viewer}; {@link Role#DEFAULT} when the entry names none).
 *
 * @param apps the apps it is scoped to; empty means every app served
 */
public record ApiKey(Secret secret, Optional<Set<String>> apps, Role role) {
  /** Shortest key accepted: 24 characters (e.g. {@code openssl rand -hex 16} gives 32). */
  public static final int MIN_LENGTH = 24;

  public ApiKey {
    java.util.Objects.requireNonNull(role, "role");
    apps = apps.map(Set::copyOf);
  }

  public static ApiKey everyApp(Secret secret) {
    return new ApiKey(secret, Optional.empty(), Role.DEFAULT);
  }

  public static ApiKey scoped(Secret secret, Set<String> apps) {
    return new ApiKey(secret, Optional.of(apps), Role.DEFAULT);
  }

  /** This key with {@code role} instead of its own. */
  public ApiKey withRole(Role role) {
    return new ApiKey(secret, apps, role);
  }

  public boolean mayActFor(String appId) {
    return apps.map(a -> a.contains(appId)).orElse(true);
  }

  /** The key's public name: 16 hex digits of its SHA-256, safe to store and to log. */
  public String fingerprint() {
    return PushApiKeys.fingerprint(secret);
  }

  /**
   * The key's name in the audit trail and in {@code GET /v1/apps}: the first 8 hex digits of its
   * SHA-256 (the first half of {@link #fingerprint()}), enough to tell a deployment's keys apart,
   * never enough to find the key.
   */
  public String auditName() {
    return fingerprint().substring(0, 8);
  }

  /**
   * Parses the entries of {@code PUSH_API_KEYS} (already split at commas), each
   * {@code key[=appId|appId…][@role]}: the last {@code @} of an entry starts its role, so a key
   * holds no {@code @} (nor {@code =}). Problems are added to
   * {@code problems} naming the entry by position, never by its text; {@code served} are the apps of
   * {@code WECHAT_APPS}, which a scope must stay within.
   */
  public static List<ApiKey> parseAll(String variable, List<Secret> entries, Set<String> served, List<String> problems) {
    List<ApiKey> out = new ArrayList<>();
    Set<Secret> seen = new HashSet<>();
    for (int i = 0; i < entries.size(); i++) {
      String entry = entries.get(i).reveal();
      String where = variable + " entry " + (i + 1);
      Role role = Role.DEFAULT;
      int at = entry.lastIndexOf('@');
      if (at >= 0) {
        Optional<Role> named = Role.of(entry.substring(at + 1).trim());
        if (named.isEmpty()) { // the text is not named: if the '@' was part of a key, it would be the key's
          problems.add(where + ": the role after '@' must be viewer, operator or admin");
          continue;
        }
        role = named.get();
        entry = entry.substring(0, at);
      }
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
        out.add(everyApp(Secret.of(key)).withRole(role));
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
      else out.add(scoped(Secret.of(key), apps).withRole(role));
    }
    return out;
  }
}
