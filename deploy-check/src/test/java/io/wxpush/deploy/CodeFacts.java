package io.wxpush.deploy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the Java sources say a deployment must agree with: the environment variables each process
 * reads, which of them it requires, its HTTP port default, and the topic and group names. Found
 * by regular expressions over the source text, so the check follows the code as it changes.
 */
final class CodeFacts {
  /** The runnable modules, each deployed as one image. */
  static final List<String> MODULES = List.of("ingest-api", "push-worker", "wechat-sim");

  /** HTTP_PORT defaults BRIEF §3 and the README promise. */
  static final Map<String, Integer> EXPECTED_PORTS = Map.of("ingest-api", 8080, "push-worker", 8081, "wechat-sim", 8090);

  /** Variables BRIEF §3 marks required, per process. */
  static final Map<String, Set<String>> EXPECTED_REQUIRED = Map.of(
      "ingest-api", Set.of("WECHAT_APPS", "SESSION_SIGNING_KEY", "PUSH_API_KEYS"),
      "push-worker", Set.of("WECHAT_APPS"),
      "wechat-sim", Set.of("WECHAT_APPS"));

  /** {@code env.string("NAME", …)}, {@code env.port("NAME", …)} … */
  private static final Pattern ENV_CALL = Pattern.compile("\\benv\\s*\\.\\s*(\\w+)\\(\\s*\"([A-Z][A-Z0-9_]*)\"");
  /** Helpers that take the Env first, e.g. {@code rate(env, "SIM_HTTP500_RATE")}. */
  private static final Pattern ENV_HELPER = Pattern.compile("\\w+\\(\\s*env\\s*,\\s*\"([A-Z][A-Z0-9_]*)\"");
  /** Env methods that record "is required but not set" when the variable is missing. */
  private static final Set<String> REQUIRING_METHODS = Set.of("required", "secret", "secrets", "weChatApps");
  private static final Pattern PORT_DEFAULT = Pattern.compile("\\benv\\s*\\.\\s*port\\(\\s*\"HTTP_PORT\"\\s*,\\s*(\\d+)\\s*\\)");
  private static final Pattern TOPIC_NAME = Pattern.compile("public String (\\w+)\\(\\)\\s*\\{\\s*return prefix \\+ \"([^\"]+)\";");

  private CodeFacts() {}

  private static String sources(String module) {
    StringBuilder all = new StringBuilder();
    for (var file : RepoFiles.filesUnder(module + "/src/main/java", ".java")) {
      all.append(RepoFiles.text(RepoFiles.relative(file))).append('\n');
    }
    return all.toString();
  }

  /** Own sources plus common's when the module reads the shared configuration (CommonConfig). */
  private static String sourcesReadBy(String module) {
    String own = sources(module);
    return own.contains("CommonConfig") ? own + sources("common") : own;
  }

  /** Every variable the process of {@code module} reads. */
  static Set<String> envVarsReadBy(String module) {
    String text = sourcesReadBy(module);
    Set<String> names = new TreeSet<>();
    Matcher m = ENV_CALL.matcher(text);
    while (m.find()) names.add(m.group(2));
    m = ENV_HELPER.matcher(text);
    while (m.find()) names.add(m.group(1));
    return names;
  }

  /** Variables the process of {@code module} refuses to start without. */
  static Set<String> requiredEnvVarsOf(String module) {
    Set<String> names = new TreeSet<>();
    Matcher m = ENV_CALL.matcher(sourcesReadBy(module));
    while (m.find()) {
      if (REQUIRING_METHODS.contains(m.group(1))) names.add(m.group(2));
    }
    return names;
  }

  /** The HTTP_PORT default in the module's own sources, or -1 when none is found. */
  static int httpPortDefault(String module) {
    Matcher m = PORT_DEFAULT.matcher(sources(module));
    return m.find() ? Integer.parseInt(m.group(1)) : -1;
  }

  /** Method name in {@code Topics} → name suffix after the prefix, e.g. pushTasks → push-tasks. */
  static Map<String, String> topicSuffixes() {
    Map<String, String> names = new LinkedHashMap<>();
    Matcher m = TOPIC_NAME.matcher(RepoFiles.text("common/src/main/java/io/wxpush/kafka/Topics.java"));
    while (m.find()) names.put(m.group(1), m.group(2));
    return names;
  }

  /** The {@code KAFKA_TOPIC_PREFIX} default in CommonConfig. */
  static String topicPrefixDefault() {
    Matcher m = Pattern.compile("env\\.string\\(\"KAFKA_TOPIC_PREFIX\",\\s*\"([^\"]*)\"\\)")
        .matcher(RepoFiles.text("common/src/main/java/io/wxpush/config/CommonConfig.java"));
    if (!m.find()) throw new AssertionError("CommonConfig no longer reads KAFKA_TOPIC_PREFIX with a default");
    return m.group(1);
  }
}
