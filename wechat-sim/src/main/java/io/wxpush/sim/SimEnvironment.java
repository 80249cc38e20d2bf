package io.wxpush.sim;

import io.wxpush.config.Env;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;

/**
 * Reads the standalone sim's {@link SimConfig} from the environment, naming the variable in
 * every problem: {@code HTTP_PORT} (8090), {@code WECHAT_APPS} (required), {@code SIM_LATENCY},
 * {@code SIM_LATENCY_JITTER}, {@code SIM_TEMPLATES}, {@code SIM_SYSTEM_ERROR_RATE},
 * {@code SIM_HTTP500_RATE}, {@code SIM_HTTP503_RATE}, {@code SIM_HANG_BEFORE_RATE},
 * {@code SIM_HANG_AFTER_RATE}, {@code SIM_5XX_AFTER_RATE}, {@code SIM_RESET_AFTER_RATE}, {@code SIM_HANG} (30s),
 * {@code SIM_DAILY_QUOTA} ({@code appId:n[,…]}).
 */
final class SimEnvironment {
  private SimEnvironment() {}

  /** Reads every variable; throws {@link io.wxpush.config.ConfigException} naming all problems. */
  static SimConfig read(Env env) {
    SimConfig.Builder b = SimConfig.builder();
    b.port(env.port("HTTP_PORT", 8090));
    var apps = env.weChatApps("WECHAT_APPS");
    apps.values().forEach(app -> b.app(app.appId(), app.secret()));
    b.latency(env.duration("SIM_LATENCY", Duration.ZERO), env.duration("SIM_LATENCY_JITTER", Duration.ZERO));
    b.systemErrorRate(rate(env, "SIM_SYSTEM_ERROR_RATE"));
    b.http500Rate(rate(env, "SIM_HTTP500_RATE"));
    b.http503Rate(rate(env, "SIM_HTTP503_RATE"));
    b.hangBeforeRate(rate(env, "SIM_HANG_BEFORE_RATE"));
    b.hangAfterDeliveryRate(rate(env, "SIM_HANG_AFTER_RATE"));
    b.gatewayErrorAfterDeliveryRate(rate(env, "SIM_5XX_AFTER_RATE"));
    b.resetAfterDeliveryRate(rate(env, "SIM_RESET_AFTER_RATE"));
    b.hangFor(env.duration("SIM_HANG", Duration.ofSeconds(30)));
    env.raw("SIM_DAILY_QUOTA").ifPresent(spec -> quotas(env, spec, b));
    env.raw("SIM_TEMPLATES").ifPresent(spec -> templates(env, spec, apps.keySet(), b));
    env.check();
    return b.build();
  }

  private static double rate(Env env, String name) {
    Optional<String> raw = env.raw(name);
    if (raw.isEmpty()) return 0;
    try {
      double rate = Double.parseDouble(raw.get());
      if (rate >= 0 && rate <= 1) return rate;
    } catch (NumberFormatException e) {
      // reported below
    }
    env.problem(name + "=" + raw.get() + ": must be a number between 0 and 1");
    return 0;
  }

  private static void quotas(Env env, String spec, SimConfig.Builder b) {
    for (String entry : spec.split(",")) {
      String[] parts = entry.trim().split(":");
      try {
        if (parts.length != 2) throw new NumberFormatException();
        b.dailyQuota(parts[0], Long.parseLong(parts[1]));
      } catch (IllegalArgumentException e) {
        env.problem("SIM_DAILY_QUOTA: '" + entry.trim() + "' is not appId:sends");
      }
    }
  }

  /** {@code appId:templateId:template|subscribe:kw1|kw2[:page1|page2]}, entries separated by ';'. */
  private static void templates(Env env, String spec, java.util.Set<String> apps, SimConfig.Builder b) {
    int position = 0;
    for (String entry : spec.split(";")) {
      position++;
      if (entry.isBlank()) continue;
      String[] parts = entry.trim().split(":", -1);
      try {
        if (parts.length < 4 || parts.length > 5) throw new IllegalArgumentException("is not appId:templateId:kind:kw1|kw2[:page1|page2]");
        if (!apps.contains(parts[0])) throw new IllegalArgumentException("names app " + parts[0] + ", which WECHAT_APPS does not list");
        List<String> keywords = split(parts[3]);
        var pages = new LinkedHashSet<>(parts.length == 5 ? split(parts[4]) : List.of());
        b.template(new SimTemplate(parts[0], parts[1], SimTemplate.Kind.parse(parts[2]), keywords, pages));
      } catch (IllegalArgumentException e) {
        env.problem("SIM_TEMPLATES entry " + position + ": " + e.getMessage()
            + " (format appId:templateId:template|subscribe:kw1|kw2[:page1|page2], entries separated by ';')");
      }
    }
  }

  private static List<String> split(String list) {
    return Arrays.stream(list.split("\\|")).map(String::trim).filter(s -> !s.isEmpty()).toList();
  }
}
