package io.wxpush.sim.push;

import java.util.Locale;

/** The data format an app chose for its message push in the WeChat console. */
public enum PushFormat {
  JSON, XML;

  /** {@code json} or {@code xml}, any case; JSON when absent. */
  public static PushFormat parse(String s) {
    return valueOf(s == null ? "JSON" : s.trim().toUpperCase(Locale.ROOT));
  }

  public String contentType() {
    return this == XML ? "text/xml" : "application/json";
  }
}
