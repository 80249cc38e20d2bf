package io.wxpush.sim;

import io.wxpush.config.Setting.Kind;
import io.wxpush.config.Variable;
import java.util.List;
import java.util.Optional;

/**
 * Every environment variable the standalone sim reads, declared once: name, kind of value,
 * default and meaning. The sim's own table, apart from the server's ({@code io.wxpush.config.Setting}):
 * {@link SimEnvironment} reads through it, wechat-sim's README table is generated from it and
 * checked by {@code SimSettingsTableTest}, and deploy-check's compose and Kubernetes checks take
 * the sim's variables from it.
 */
public enum SimSetting implements Variable {
  WECHAT_APPS(Kind.SECRET, null, "the mini-programs the sim serves, `appId:secret[,…]` (the variable wxpush reads;"
      + " a `:token:encodingAesKey` tail is ignored: message push is set per app with `PUT /sim/apps/{appId}/message-push`)"),
  HTTP_PORT(Kind.INTEGER, "8090", "the sim's HTTP port (WeChat's API and the `/sim/…` controls)"),
  SIM_LATENCY(Kind.DURATION, "0s", "latency added to every send"),
  SIM_LATENCY_JITTER(Kind.DURATION, "0s", "a uniform random part added on top of `SIM_LATENCY`"),
  SIM_TEMPLATES(Kind.TEXT, "", "`appId:templateId:template|subscribe|long_term:kw1|kw2[:page1|page2]`, entries separated by `;`"
      + " (no pages: any page is accepted; `long_term`: a long-term subscribe template, gettemplate `type` 3, whose accept is not spent by a send)"),
  SIM_SYSTEM_ERROR_RATE(Kind.RATE, "0", "fraction of sends answered errcode −1"),
  SIM_HTTP500_RATE(Kind.RATE, "0", "fraction of sends answered HTTP 500 before processing"),
  SIM_HTTP503_RATE(Kind.RATE, "0", "fraction of sends answered HTTP 503 before processing"),
  SIM_HANG_BEFORE_RATE(Kind.RATE, "0", "fraction of sends that hang before processing (never delivered)"),
  SIM_HANG_AFTER_RATE(Kind.RATE, "0", "fraction of sends delivered and then hung before their answer"),
  SIM_5XX_AFTER_RATE(Kind.RATE, "0", "fraction of sends delivered and then answered HTTP 502, as a gateway would"),
  SIM_RESET_AFTER_RATE(Kind.RATE, "0", "fraction of sends delivered whose connection is then reset"),
  SIM_HANG(Kind.DURATION, "30s", "how long a hung send hangs"),
  SIM_DAILY_QUOTA(Kind.TEXT, "", "`appId:sends[,…]`: past its quota an app's sends answer 45009"),
  SIM_RATE_LIMIT(Kind.TEXT, "", "`appId:sendsPerSecond[,…]`: an app's sends past it answer 45011 (a one-second token bucket);"
      + " `quota/get` reports it as `rate_limit`"),
  SIM_REQUEST_LOG(Kind.INTEGER, "1000", "requests the request log keeps, the newest (`/sim/requests`, `takeRequest()`); 0 records none"),
  SIM_ID_FORMAT(Kind.TEXT, "sim", "`sim` or `real`: minted form_ids as `simf<gen>_<user>_<slot>` (short), or in WeChat's shape"
      + " (32 lowercase hex characters; prepay_ids `wx` + 34), still recognised by the sim through a keyed checksum");

  private final Kind kind;
  private final String defaultValue;
  private final String meaning;

  SimSetting(Kind kind, String defaultValue, String meaning) {
    this.kind = kind;
    this.defaultValue = defaultValue;
    this.meaning = meaning;
  }

  @Override
  public Kind kind() {
    return kind;
  }

  @Override
  public Optional<String> defaultValue() {
    return Optional.ofNullable(defaultValue);
  }

  @Override
  public String meaning() {
    return meaning;
  }

  /** True when the sim refuses to start without it. */
  public boolean required() {
    return defaultValue == null;
  }

  /** The Markdown table wechat-sim's README shows. */
  public static String markdownTable() {
    return Variable.markdownTable(List.of(values()));
  }
}
