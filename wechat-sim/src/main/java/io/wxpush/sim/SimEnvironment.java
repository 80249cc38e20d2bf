package io.wxpush.sim;

import io.wxpush.config.Env;
import io.wxpush.config.Setting;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * Reads the standalone sim's {@link SimConfig} from the environment, naming the variable in
 * every problem; the variables, their defaults and meanings are declared in {@link Setting}
 * (those read by {@link Setting.Process#WECHAT_SIM}).
 */
final class SimEnvironment {
  private SimEnvironment() {}

  /** Reads every variable; throws {@link io.wxpush.config.ConfigException} naming all problems. */
  static SimConfig read(Env env) {
    SimConfig.Builder b = SimConfig.builder();
    b.port(env.port(Setting.HTTP_PORT, Setting.Process.WECHAT_SIM));
    var apps = env.weChatApps(Setting.WECHAT_APPS);
    apps.values().forEach(app -> b.app(app.appId(), app.secret()));
    b.latency(env.duration(Setting.SIM_LATENCY), env.duration(Setting.SIM_LATENCY_JITTER));
    b.systemErrorRate(env.rate(Setting.SIM_SYSTEM_ERROR_RATE));
    b.http500Rate(env.rate(Setting.SIM_HTTP500_RATE));
    b.http503Rate(env.rate(Setting.SIM_HTTP503_RATE));
    b.hangBeforeRate(env.rate(Setting.SIM_HANG_BEFORE_RATE));
    b.hangAfterDeliveryRate(env.rate(Setting.SIM_HANG_AFTER_RATE));
    b.gatewayErrorAfterDeliveryRate(env.rate(Setting.SIM_5XX_AFTER_RATE));
    b.resetAfterDeliveryRate(env.rate(Setting.SIM_RESET_AFTER_RATE));
    b.hangFor(env.duration(Setting.SIM_HANG));
    env.raw(Setting.SIM_DAILY_QUOTA).ifPresent(spec -> quotas(env, spec, b));
    env.raw(Setting.SIM_TEMPLATES).ifPresent(spec -> templates(env, spec, apps.keySet(), b));
    env.check();
    return b.build();
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
