package io.wxpush.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** docker-compose.yml sets only variables the code reads, every required one, and the code's ports. */
class ComposeFileTest {
  private static final Set<String> SECRETS = Set.of("WECHAT_APPS", "SESSION_SIGNING_KEY", "PUSH_API_KEYS");
  private static final Pattern INTERPOLATION = Pattern.compile("^\\$\\{([A-Z][A-Z0-9_]*)(:?[-?][^}]*)?}$");

  private final JsonNode compose = RepoFiles.yaml("docker-compose.yml");
  private final JsonNode services = compose.path("services");

  /** The service's environment, from either the map or the list form. */
  private static Map<String, String> environment(JsonNode service) {
    Map<String, String> env = new LinkedHashMap<>();
    JsonNode node = service.path("environment");
    if (node.isObject()) {
      node.properties().forEach(e -> env.put(e.getKey(), e.getValue().isNull() ? "" : e.getValue().asText()));
    } else if (node.isArray()) {
      node.forEach(item -> {
        String s = item.asText();
        int eq = s.indexOf('=');
        env.put(eq < 0 ? s : s.substring(0, eq), eq < 0 ? "" : s.substring(eq + 1));
      });
    }
    return env;
  }

  private static List<String> texts(JsonNode node) {
    List<String> out = new ArrayList<>();
    if (node.isArray()) node.forEach(n -> out.add(n.asText()));
    else if (!node.isMissingNode() && !node.isNull()) out.add(node.asText());
    return out;
  }

  @Test
  void composeBuildsEveryModuleWithTheOneDockerfileAndItsModuleArg() {
    List<String> problems = new ArrayList<>();
    for (String module : CodeFacts.MODULES) {
      JsonNode service = services.path(module);
      if (service.isMissingNode()) {
        problems.add("no service " + module);
        continue;
      }
      JsonNode build = service.path("build");
      String context = build.isTextual() ? build.asText() : build.path("context").asText();
      if (!context.replaceFirst("/$", "").equals(".")) {
        problems.add(module + ": build context is '" + context + "', expected . (the root Dockerfile copies " + module + "/target/" + module + ".jar)");
      }
      String dockerfile = build.path("dockerfile").asText("Dockerfile");
      if (!dockerfile.equals("Dockerfile")) problems.add(module + ": builds with " + dockerfile + ", expected the one Dockerfile");
      if (!module.equals(build.path("args").path("MODULE").asText())) problems.add(module + ": build arg MODULE is not " + module);
      String image = service.path("image").asText("");
      if (!image.isEmpty() && !image.replaceFirst(":.*$", "").endsWith("/" + module) && !image.replaceFirst(":.*$", "").equals(module)) {
        problems.add(module + ": image '" + image + "' is not named after the module");
      }
    }
    assertThat(problems).as("docker-compose.yml services disagree with the modules").isEmpty();
  }

  @Test
  void composeSetsOnlyVariablesTheCodeReadsAndEveryRequiredOne() {
    List<String> problems = new ArrayList<>();
    for (String module : CodeFacts.MODULES) {
      Map<String, String> env = environment(services.path(module));
      Set<String> reads = CodeFacts.envVarsReadBy(module);
      for (String name : env.keySet()) {
        if (!reads.contains(name)) problems.add(module + " sets " + name + ", which its code never reads (it reads " + reads + ")");
      }
      Set<String> required = new TreeSet<>(CodeFacts.requiredEnvVarsOf(module));
      required.addAll(CodeFacts.EXPECTED_REQUIRED.get(module));
      for (String name : required) {
        if (env.getOrDefault(name, "").isBlank()) problems.add(module + " does not set required " + name);
      }
      for (String secret : SECRETS) {
        String value = env.get(secret);
        if (value == null) continue;
        Matcher m = INTERPOLATION.matcher(value);
        if (!m.matches() || !m.group(1).equals(secret)) {
          problems.add(module + ": " + secret + " must come from .env as ${" + secret + ":?…}, not be written in the file");
        } else if (m.group(2) == null || !m.group(2).startsWith(":?")) {
          problems.add(module + ": ${" + secret + "} should fail fast when unset (${" + secret + ":?message})");
        }
      }
    }
    assertThat(problems).as("docker-compose.yml environments disagree with the code").isEmpty();
  }

  @Test
  void composePortsAndHealthchecksFollowHttpPort() {
    List<String> problems = new ArrayList<>();
    for (String module : CodeFacts.MODULES) {
      JsonNode service = services.path(module);
      int codeDefault = CodeFacts.httpPortDefault(module);
      if (codeDefault != CodeFacts.EXPECTED_PORTS.get(module)) {
        problems.add(module + ": code default HTTP_PORT is " + codeDefault + ", the contract says " + CodeFacts.EXPECTED_PORTS.get(module));
      }
      String set = environment(service).get("HTTP_PORT");
      int port = set == null ? codeDefault : Integer.parseInt(set);
      if (port != CodeFacts.EXPECTED_PORTS.get(module)) {
        problems.add(module + ": HTTP_PORT is " + port + ", expected " + CodeFacts.EXPECTED_PORTS.get(module));
      }
      for (String mapping : texts(service.path("ports"))) {
        String container = mapping.replaceFirst("/\\w+$", "");
        container = container.substring(container.lastIndexOf(':') + 1);
        if (!container.equals(Integer.toString(port))) {
          problems.add(module + ": port mapping " + mapping + " targets container port " + container + ", but HTTP_PORT is " + port);
        }
      }
      for (String exposed : texts(service.path("expose"))) {
        if (!exposed.equals(Integer.toString(port))) problems.add(module + ": exposes " + exposed + " but HTTP_PORT is " + port);
      }
      String test = String.join(" ", texts(service.path("healthcheck").path("test")));
      if (!test.contains("localhost:" + port + "/health")) {
        problems.add(module + ": healthcheck '" + test + "' does not call http://localhost:" + port + "/health");
      }
    }
    assertThat(problems).as("docker-compose.yml ports and health checks disagree with HTTP_PORT").isEmpty();
  }

  @Test
  void pushWorkerCanBeScaledAndOptionalServicesSitBehindProfiles() {
    List<String> problems = new ArrayList<>();
    JsonNode worker = services.path("push-worker");
    if (worker.has("container_name")) problems.add("push-worker has a container_name: --scale push-worker=N would clash");
    if (worker.has("ports")) problems.add("push-worker publishes host ports " + worker.path("ports") + ": --scale push-worker=N would clash");
    Map<String, String> profiles = Map.of("wechat-sim", "sim", "prometheus", "monitoring", "grafana", "monitoring");
    profiles.forEach((service, profile) -> {
      if (!texts(services.path(service).path("profiles")).contains(profile)) {
        problems.add(service + " is not under profile '" + profile + "'");
      }
    });
    for (String core : List.of("kafka", "redis", "ingest-api", "push-worker")) {
      if (services.path(core).has("profiles")) problems.add(core + " must run without a profile");
    }
    assertThat(problems).as("docker-compose.yml scaling and profiles").isEmpty();
  }

  @Test
  void kafkaIsASingleKraftNodeWhoseShareGroupsWork() {
    JsonNode kafka = services.path("kafka");
    Map<String, String> env = environment(kafka);
    List<String> problems = new ArrayList<>();
    if (!kafka.path("image").asText().equals("apache/kafka:4.4.0")) problems.add("kafka image is " + kafka.path("image") + ", expected apache/kafka:4.4.0");
    Map<String, String> expected = Map.of(
        "KAFKA_PROCESS_ROLES", "broker,controller",
        "KAFKA_SHARE_COORDINATOR_STATE_TOPIC_REPLICATION_FACTOR", "1",
        "KAFKA_SHARE_COORDINATOR_STATE_TOPIC_MIN_ISR", "1",
        "KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR", "1",
        "KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR", "1");
    expected.forEach((k, v) -> {
      if (!v.equals(env.get(k))) problems.add("kafka " + k + " is " + env.get(k) + ", expected " + v + " (single node)");
    });
    String bootstrap = environment(services.path("push-worker")).get("KAFKA_BOOTSTRAP_SERVERS");
    String advertised = env.getOrDefault("KAFKA_ADVERTISED_LISTENERS", "");
    if (bootstrap == null || !advertised.contains("://" + bootstrap)) {
      problems.add("workers use KAFKA_BOOTSTRAP_SERVERS=" + bootstrap + " but kafka advertises " + advertised);
    }
    JsonNode redis = services.path("redis");
    if (!redis.path("image").asText().equals("redis:7.4")) problems.add("redis image is " + redis.path("image") + ", expected redis:7.4");
    String command = String.join(" ", texts(redis.path("command")));
    if (!command.contains("--appendonly yes")) problems.add("redis command '" + command + "' lacks --appendonly yes");
    if (texts(redis.path("volumes")).isEmpty()) problems.add("redis has no volume: the AOF would die with the container");
    String redisUrl = environment(services.path("push-worker")).getOrDefault("REDIS_URL", "");
    if (!redisUrl.startsWith("redis://redis:")) problems.add("workers use REDIS_URL=" + redisUrl + ", not the compose service redis");
    assertThat(problems).as("docker-compose.yml Kafka and Redis").isEmpty();
  }

  @Test
  void envExampleListsEverySecretWithAMarkedPlaceholder() {
    String example = RepoFiles.text("deploy/env.example");
    List<String> problems = new ArrayList<>();
    for (String secret : SECRETS) {
      Matcher m = Pattern.compile("(?m)^" + secret + "=(.*)$").matcher(example);
      if (!m.find()) problems.add("deploy/env.example does not set " + secret);
      else if (!m.group(1).contains("DEMO-ONLY")) problems.add("deploy/env.example: " + secret + " is not marked DEMO-ONLY");
    }
    Matcher key = Pattern.compile("(?m)^SESSION_SIGNING_KEY=(.*)$").matcher(example);
    if (key.find() && key.group(1).getBytes(StandardCharsets.UTF_8).length < 32) {
      problems.add("deploy/env.example: SESSION_SIGNING_KEY placeholder is shorter than the 32 bytes ingest-api demands");
    }
    assertThat(problems).as("deploy/env.example").isEmpty();
  }

  @Test
  void prometheusScrapesEachProcessOnItsHttpPort() {
    String prometheus = RepoFiles.text("deploy/prometheus/prometheus.yml");
    List<String> problems = new ArrayList<>();
    for (String module : CodeFacts.MODULES) {
      int port = CodeFacts.EXPECTED_PORTS.get(module);
      boolean staticTarget = prometheus.contains("\"" + module + ":" + port + "\"");
      boolean dnsTarget = Pattern.compile("names:\\s*\\[\"" + module + "\"]\\s*\\n\\s*type:\\s*A\\s*\\n\\s*port:\\s*" + port).matcher(prometheus).find();
      if (!staticTarget && !dnsTarget) problems.add("deploy/prometheus/prometheus.yml does not scrape " + module + " on port " + port);
    }
    assertThat(problems).as("Prometheus targets disagree with HTTP_PORT").isEmpty();
  }
}
