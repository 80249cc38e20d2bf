package io.wxpush.deploy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import io.wxpush.config.Setting;
import io.wxpush.sim.SimSetting;

/**
 * What the code says a deployment must agree with: the environment variables each process reads,
 * which of them it requires and its HTTP port default (from the server's settings table, {@link Setting},
 * and wechat-sim's own, {@link SimSetting}),
 * and the topic and group names (from {@code Topics}' source).
 */
final class CodeFacts {
  /** The runnable modules, each deployed as one image. */
  static final List<String> MODULES = List.of("ingest-api", "push-worker", "wechat-sim");

  /** HTTP_PORT defaults the README promises. */
  static final Map<String, Integer> EXPECTED_PORTS = Map.of("ingest-api", 8080, "push-worker", 8081, "wechat-sim", 8090);

  /** Variables the README marks required, per process. */
  static final Map<String, Set<String>> EXPECTED_REQUIRED = Map.of(
      "ingest-api", Set.of("WECHAT_APPS", "SESSION_SIGNING_KEY", "PUSH_API_KEYS"),
      "push-worker", Set.of("WECHAT_APPS"),
      "wechat-sim", Set.of("WECHAT_APPS"));

  private static final Pattern TOPIC_NAME = Pattern.compile("public String (\\w+)\\(\\)\\s*\\{\\s*return prefix \\+ \"([^\"]+)\";");

  private CodeFacts() {}

  private static final String SIM = "wechat-sim";

  private static Setting.Process process(String module) {
    return Setting.Process.ofModule(module);
  }

  /** Every variable the process of {@code module} reads (its settings table, which {@code Env} reads through). */
  static Set<String> envVarsReadBy(String module) {
    Set<String> names = new TreeSet<>();
    if (module.equals(SIM)) {
      for (SimSetting s : SimSetting.values()) names.add(s.name());
    } else {
      for (Setting s : Setting.readBy(process(module))) names.add(s.name());
    }
    return names;
  }

  /** Variables the process of {@code module} refuses to start without. */
  static Set<String> requiredEnvVarsOf(String module) {
    Set<String> names = new TreeSet<>();
    if (module.equals(SIM)) {
      for (SimSetting s : SimSetting.values()) if (s.required()) names.add(s.name());
    } else {
      for (Setting s : Setting.readBy(process(module))) if (s.requiredBy(process(module))) names.add(s.name());
    }
    return names;
  }

  /** The process's HTTP_PORT default. */
  static int httpPortDefault(String module) {
    String port = module.equals(SIM) ? SimSetting.HTTP_PORT.defaultValue().orElseThrow()
        : Setting.HTTP_PORT.defaultFor(process(module)).orElseThrow();
    return Integer.parseInt(port);
  }

  /** Method name in {@code Topics} → name suffix after the prefix, e.g. pushTasks → push-tasks. */
  static Map<String, String> topicSuffixes() {
    Map<String, String> names = new LinkedHashMap<>();
    Matcher m = TOPIC_NAME.matcher(RepoFiles.text("common/src/main/java/io/wxpush/kafka/Topics.java"));
    while (m.find()) names.put(m.group(1), m.group(2));
    return names;
  }

  /** The {@code KAFKA_TOPIC_PREFIX} default. */
  static String topicPrefixDefault() {
    return Setting.KAFKA_TOPIC_PREFIX.defaultValue().orElseThrow();
  }
}
