package io.wxpush.worker;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/** The push-worker roles ({@code WORKER_ROLES}); a process runs any subset. */
public enum Roles {
  CREDENTIALS, FANOUT, SENDER;

  /** Parses {@code credentials,fanout,sender} (any subset, any order). */
  public static Set<Roles> parse(String spec) {
    EnumSet<Roles> roles = EnumSet.noneOf(Roles.class);
    for (String part : spec.split(",")) {
      String name = part.trim();
      if (name.isEmpty()) continue;
      try {
        roles.add(valueOf(name.toUpperCase(Locale.ROOT)));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("unknown role '" + name + "' (roles: credentials, fanout, sender)");
      }
    }
    if (roles.isEmpty()) throw new IllegalArgumentException("names no role (roles: credentials, fanout, sender)");
    return roles;
  }
}
