package io.wxpush.sim;

import io.wxpush.config.ConfigException;
import io.wxpush.config.Env;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads the standalone sim's {@link SimConfig} from the environment, naming the variable in
 * every problem; the variables, their defaults and meanings are declared in the sim's own table,
 * {@link SimSetting}.
 */
final class SimEnvironment {
  private SimEnvironment() {}

  /** Reads every variable; throws {@link ConfigException} naming all problems. */
  static SimConfig read(Env env) {
    SimConfig.Builder b = SimConfig.builder();
    b.port(env.integer(SimSetting.HTTP_PORT, 0, 65535));
    var apps = env.weChatApps(SimSetting.WECHAT_APPS);
    apps.values().forEach(app -> b.app(app.appId(), app.secret()));
    b.latency(env.duration(SimSetting.SIM_LATENCY), env.duration(SimSetting.SIM_LATENCY_JITTER));
    b.systemErrorRate(env.rate(SimSetting.SIM_SYSTEM_ERROR_RATE));
    b.http500Rate(env.rate(SimSetting.SIM_HTTP500_RATE));
    b.http503Rate(env.rate(SimSetting.SIM_HTTP503_RATE));
    b.hangBeforeRate(env.rate(SimSetting.SIM_HANG_BEFORE_RATE));
    b.hangAfterDeliveryRate(env.rate(SimSetting.SIM_HANG_AFTER_RATE));
    b.gatewayErrorAfterDeliveryRate(env.rate(SimSetting.SIM_5XX_AFTER_RATE));
    b.resetAfterDeliveryRate(env.rate(SimSetting.SIM_RESET_AFTER_RATE));
    b.hangFor(env.duration(SimSetting.SIM_HANG));
    env.raw(SimSetting.SIM_DAILY_QUOTA).ifPresent(spec -> quotas(env, spec, b));
    env.raw(SimSetting.SIM_RATE_LIMIT).ifPresent(spec -> rateLimits(env, spec, b));
    env.raw(SimSetting.SIM_TEMPLATES).ifPresent(spec -> templates(env, spec, apps.keySet(), b));
    b.requestLogCapacity(env.integer(SimSetting.SIM_REQUEST_LOG, 0, 1_000_000));
    env.raw(SimSetting.SIM_ID_FORMAT).ifPresent(text -> {
      try {
        b.idFormat(CredentialCodec.IdFormat.parse(text));
      } catch (IllegalArgumentException e) {
        env.problem("SIM_ID_FORMAT: " + e.getMessage());
      }
    });
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

  private static void rateLimits(Env env, String spec, SimConfig.Builder b) {
    for (String entry : spec.split(",")) {
      String[] parts = entry.trim().split(":");
      try {
        if (parts.length != 2) throw new NumberFormatException();
        b.rateLimit(parts[0], Integer.parseInt(parts[1]));
      } catch (IllegalArgumentException e) {
        env.problem("SIM_RATE_LIMIT: '" + entry.trim() + "' is not appId:sendsPerSecond (at least 1)");
      }
    }
  }

  /** {@code appId:templateId:template|subscribe:kw1|kw2[:page1|page2]}, entries separated by ';'. */
  private static void templates(Env env, String spec, Set<String> apps, SimConfig.Builder b) {
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
        boolean longTerm = parts[2].trim().equalsIgnoreCase("long_term");
        b.template(new SimTemplate(parts[0], parts[1], longTerm ? SimTemplate.Kind.SUBSCRIBE : SimTemplate.Kind.parse(parts[2]), keywords, pages,
            longTerm));
      } catch (IllegalArgumentException e) {
        env.problem("SIM_TEMPLATES entry " + position + ": " + e.getMessage()
            + " (format appId:templateId:template|subscribe|long_term:kw1|kw2[:page1|page2], entries separated by ';')");
      }
    }
  }

  private static List<String> split(String list) {
    return Arrays.stream(list.split("\\|")).map(String::trim).filter(s -> !s.isEmpty()).toList();
  }
}
