package io.wxpush.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** Every manifest under deploy/k8s agrees with the code: variables, ports, probes, images, topic names. */
class KubernetesManifestsTest {
  /** Each document, with the file it came from. */
  private record Doc(String file, JsonNode node) {
    String kind() { return node.path("kind").asText(); }
    String name() { return node.path("metadata").path("name").asText(); }
    String where() { return file + " " + kind() + "/" + name(); }
  }

  private final List<Doc> docs = load();

  private static List<Doc> load() {
    List<Doc> docs = new ArrayList<>();
    for (Path file : RepoFiles.filesUnder("deploy/k8s", ".yaml", ".yml")) {
      for (JsonNode node : RepoFiles.yamlDocuments(file)) docs.add(new Doc(RepoFiles.relative(file), node));
    }
    return docs;
  }

  private List<Doc> ofKind(String kind) {
    return docs.stream().filter(d -> d.kind().equals(kind)).toList();
  }

  /** ConfigMap or Secret name → its keys. */
  private Map<String, Set<String>> keysOf(String kind) {
    Map<String, Set<String>> keys = new LinkedHashMap<>();
    for (Doc d : ofKind(kind)) {
      Set<String> names = new TreeSet<>();
      for (String field : List.of("data", "stringData")) d.node().path(field).fieldNames().forEachRemaining(names::add);
      keys.put(d.name(), names);
    }
    return keys;
  }

  /** The module a container runs, from its image name (wxpush/push-worker:tag → push-worker), or null. */
  private static String moduleOf(JsonNode container) {
    String image = container.path("image").asText().replaceFirst("@.*$", "").replaceFirst(":[^/]*$", "");
    String base = image.substring(image.lastIndexOf('/') + 1);
    return CodeFacts.MODULES.contains(base) ? base : null;
  }

  private static List<JsonNode> containers(Doc deployment) {
    List<JsonNode> out = new ArrayList<>();
    deployment.node().path("spec").path("template").path("spec").path("containers").forEach(out::add);
    return out;
  }

  /** Literal env values of a container (valueFrom entries map to null). */
  private static Map<String, String> explicitEnv(JsonNode container) {
    Map<String, String> env = new LinkedHashMap<>();
    container.path("env").forEach(e -> env.put(e.path("name").asText(), e.has("value") ? e.path("value").asText() : null));
    return env;
  }

  /** Every variable a container gets, resolving envFrom against the ConfigMaps and Secrets in deploy/k8s. */
  private Set<String> allEnvNames(Doc where, JsonNode container, List<String> problems) {
    Set<String> names = new TreeSet<>(explicitEnv(container).keySet());
    Map<String, Set<String>> configMaps = keysOf("ConfigMap");
    Map<String, Set<String>> secrets = keysOf("Secret");
    for (JsonNode from : container.path("envFrom")) {
      String cm = from.path("configMapRef").path("name").asText(null);
      String secret = from.path("secretRef").path("name").asText(null);
      if (cm != null) {
        if (!configMaps.containsKey(cm)) problems.add(where.where() + ": envFrom ConfigMap " + cm + " is not defined in deploy/k8s");
        else names.addAll(configMaps.get(cm));
      }
      if (secret != null) {
        if (!secrets.containsKey(secret)) problems.add(where.where() + ": envFrom Secret " + secret + " is not defined in deploy/k8s");
        else names.addAll(secrets.get(secret));
      }
    }
    for (JsonNode e : container.path("env")) {
      JsonNode ref = e.path("valueFrom").path("secretKeyRef");
      if (ref.isMissingNode()) ref = e.path("valueFrom").path("configMapKeyRef");
      if (ref.isMissingNode()) continue;
      Map<String, Set<String>> pool = e.path("valueFrom").has("secretKeyRef") ? secrets : configMaps;
      String name = ref.path("name").asText();
      String key = ref.path("key").asText();
      if (!pool.getOrDefault(name, Set.of()).contains(key)) {
        problems.add(where.where() + ": " + e.path("name").asText() + " refers to " + name + "/" + key + ", which deploy/k8s does not define");
      }
    }
    return names;
  }

  private static int httpPort(JsonNode container, String module) {
    String set = explicitEnv(container).get("HTTP_PORT");
    return set == null ? CodeFacts.httpPortDefault(module) : Integer.parseInt(set);
  }

  @Test
  void manifestsParseAndHoldTheExpectedObjects() {
    Set<String> kinds = new TreeSet<>();
    docs.forEach(d -> kinds.add(d.kind()));
    assertThat(kinds).as("kinds of objects under deploy/k8s")
        .contains("Namespace", "ConfigMap", "Secret", "Deployment", "Service", "PodDisruptionBudget", "ScaledObject", "HorizontalPodAutoscaler");
    List<String> problems = new ArrayList<>();
    for (Doc d : docs) {
      if (d.kind().equals("Kustomization")) continue;
      if (d.name().isEmpty()) problems.add(d.file() + ": a " + d.kind() + " without metadata.name");
      if (!d.kind().equals("Namespace") && !d.node().path("metadata").path("namespace").asText().equals("wxpush")) {
        problems.add(d.where() + ": namespace is '" + d.node().path("metadata").path("namespace").asText() + "', expected wxpush");
      }
    }
    Set<String> deployed = new TreeSet<>();
    ofKind("Deployment").forEach(d -> containers(d).forEach(c -> { if (moduleOf(c) != null) deployed.add(moduleOf(c)); }));
    if (!deployed.containsAll(Set.of("ingest-api", "push-worker"))) problems.add("deploy/k8s deploys " + deployed + ", expected ingest-api and push-worker");
    ofKind("Deployment").stream().filter(d -> containers(d).stream().anyMatch(c -> "ingest-api".equals(moduleOf(c))))
        .forEach(d -> {
          if (d.node().path("spec").path("replicas").asInt(1) < 2) problems.add(d.where() + ": ingest-api should run 2 replicas");
        });
    assertThat(problems).as("deploy/k8s objects").isEmpty();
  }

  @Test
  void deploymentsSetOnlyVariablesTheCodeReadsAndEveryRequiredOne() {
    List<String> problems = new ArrayList<>();
    for (Doc d : ofKind("Deployment")) {
      for (JsonNode c : containers(d)) {
        String module = moduleOf(c);
        if (module == null) {
          problems.add(d.where() + ": image " + c.path("image").asText() + " is not named after a module " + CodeFacts.MODULES);
          continue;
        }
        Set<String> names = allEnvNames(d, c, problems);
        Set<String> reads = CodeFacts.envVarsReadBy(module);
        for (String name : names) {
          if (!reads.contains(name)) problems.add(d.where() + " (" + module + ") gets " + name + ", which its code never reads");
        }
        Set<String> required = new TreeSet<>(CodeFacts.requiredEnvVarsOf(module));
        required.addAll(CodeFacts.EXPECTED_REQUIRED.get(module));
        for (String name : required) {
          if (!names.contains(name)) problems.add(d.where() + " (" + module + ") does not set required " + name);
        }
        for (String secret : Set.of("WECHAT_APPS", "SESSION_SIGNING_KEY", "PUSH_API_KEYS")) {
          if (explicitEnv(c).get(secret) != null) problems.add(d.where() + ": " + secret + " is written in the manifest; take it from the Secret");
        }
        String roles = explicitEnv(c).get("WORKER_ROLES");
        if (roles != null && !roles.matches("(credentials|fanout|sender)(,(credentials|fanout|sender))*")) {
          problems.add(d.where() + ": WORKER_ROLES=" + roles + " is not a subset of credentials,fanout,sender");
        }
      }
    }
    for (Doc cm : ofKind("ConfigMap")) {
      for (String secret : Set.of("WECHAT_APPS", "SESSION_SIGNING_KEY", "PUSH_API_KEYS")) {
        if (cm.node().path("data").has(secret)) problems.add(cm.where() + ": secret " + secret + " belongs in a Secret, not a ConfigMap");
      }
    }
    for (Doc s : ofKind("Secret")) {
      s.node().path("stringData").properties().forEach(e -> {
        if (!e.getValue().asText().contains("DEMO-ONLY")) problems.add(s.where() + ": " + e.getKey() + " is not a marked DEMO-ONLY placeholder");
      });
      if (s.node().has("data")) problems.add(s.where() + ": use stringData placeholders in the template, not base64 data");
    }
    assertThat(problems).as("deploy/k8s environments disagree with the code").isEmpty();
  }

  @Test
  void containersListenProbeAndAreServedOnTheirHttpPort() {
    List<String> problems = new ArrayList<>();
    Map<String, Integer> portByApp = new LinkedHashMap<>();
    Set<String> apps = new TreeSet<>();
    for (Doc d : ofKind("Deployment")) {
      apps.add(d.node().path("spec").path("template").path("metadata").path("labels").path("app.kubernetes.io/name").asText());
      for (JsonNode c : containers(d)) {
        String module = moduleOf(c);
        if (module == null) continue;
        int port = httpPort(c, module);
        if (port != CodeFacts.EXPECTED_PORTS.get(module)) problems.add(d.where() + ": HTTP_PORT " + port + " differs from " + module + "'s " + CodeFacts.EXPECTED_PORTS.get(module));
        List<Integer> containerPorts = new ArrayList<>();
        c.path("ports").forEach(p -> containerPorts.add(p.path("containerPort").asInt()));
        if (!containerPorts.contains(port)) problems.add(d.where() + ": containerPorts " + containerPorts + " do not include HTTP_PORT " + port);

        JsonNode readiness = c.path("readinessProbe").path("httpGet");
        if (!readiness.path("path").asText().equals("/health") || readiness.path("port").asInt(-1) != port) {
          problems.add(d.where() + ": readinessProbe must be httpGet /health on " + port + ", is " + c.path("readinessProbe"));
        }
        JsonNode liveness = c.path("livenessProbe");
        if (liveness.isMissingNode()) {
          problems.add(d.where() + ": no livenessProbe");
        } else if (liveness.has("tcpSocket")) {
          if (liveness.path("tcpSocket").path("port").asInt(-1) != port) problems.add(d.where() + ": livenessProbe tcpSocket is not on " + port);
        } else {
          JsonNode get = liveness.path("httpGet");
          if (!get.path("path").asText().equals("/health") || get.path("port").asInt(-1) != port) {
            problems.add(d.where() + ": livenessProbe must be tcpSocket on " + port + " or httpGet /health on " + port);
          }
          if (liveness.path("failureThreshold").asInt(3) * liveness.path("periodSeconds").asInt(10) < 60) {
            problems.add(d.where() + ": an httpGet /health liveness probe restarts pods within a minute of a Kafka blip; allow ≥ 60 s");
          }
        }
        JsonNode resources = c.path("resources");
        if (resources.path("requests").path("cpu").isMissingNode() || resources.path("requests").path("memory").isMissingNode()
            || resources.path("limits").path("memory").isMissingNode()) {
          problems.add(d.where() + ": needs cpu and memory requests and a memory limit (the heap is 75% of it)");
        }
        portByApp.put(d.node().path("spec").path("template").path("metadata").path("labels").path("app.kubernetes.io/name").asText(), port);
      }
    }
    for (Doc s : ofKind("Service")) {
      String app = s.node().path("spec").path("selector").path("app.kubernetes.io/name").asText();
      Integer port = portByApp.get(app);
      if (port == null) {
        problems.add(s.where() + ": selects app.kubernetes.io/name=" + app
            + (apps.contains(app) ? ", whose pods run no wxpush module image" : ", which no Deployment's pods carry"));
        continue;
      }
      for (JsonNode p : s.node().path("spec").path("ports")) {
        int target = p.path("targetPort").asInt(p.path("port").asInt());
        if (target != port) problems.add(s.where() + ": targetPort " + target + " but the pods listen on " + port);
      }
    }
    assertThat(problems).as("deploy/k8s ports and probes disagree with HTTP_PORT").isEmpty();
  }

  @Test
  void everyDeploymentHasADisruptionBudget() {
    List<String> problems = new ArrayList<>();
    for (Doc d : ofKind("Deployment")) {
      JsonNode labels = d.node().path("spec").path("template").path("metadata").path("labels");
      boolean covered = ofKind("PodDisruptionBudget").stream().anyMatch(pdb -> {
        JsonNode match = pdb.node().path("spec").path("selector").path("matchLabels");
        if (match.isEmpty()) return false;
        for (var e : match.properties()) if (!labels.path(e.getKey()).asText().equals(e.getValue().asText())) return false;
        return true;
      });
      if (!covered) problems.add(d.where() + " has no PodDisruptionBudget selecting its pods");
    }
    assertThat(problems).as("PodDisruptionBudgets").isEmpty();
  }

  @Test
  void autoscalersTargetSendersOnThePushTasksTopicAndKnownMetrics() {
    Map<String, String> topics = CodeFacts.topicSuffixes();
    String prefix = ofKind("ConfigMap").stream().map(cm -> cm.node().path("data").path("KAFKA_TOPIC_PREFIX").asText(null))
        .filter(Objects::nonNull).findFirst().orElse(CodeFacts.topicPrefixDefault());
    String pushTasks = prefix + topics.get("pushTasks");
    String senderGroup = prefix + topics.get("senderGroup");
    List<String> problems = new ArrayList<>();
    if (!pushTasks.equals("wxpush.push-tasks")) problems.add("the push-tasks topic resolves to " + pushTasks + ", expected wxpush.push-tasks");

    Map<String, Doc> deployments = new LinkedHashMap<>();
    ofKind("Deployment").forEach(d -> deployments.put(d.name(), d));
    boolean sawKafkaTrigger = false;
    boolean sawPrometheusTrigger = false;
    for (Doc so : ofKind("ScaledObject")) {
      String target = so.node().path("spec").path("scaleTargetRef").path("name").asText();
      checkScalesSenders(so, target, deployments, problems);
      for (JsonNode trigger : so.node().path("spec").path("triggers")) {
        JsonNode meta = trigger.path("metadata");
        switch (trigger.path("type").asText()) {
          case "kafka" -> {
            sawKafkaTrigger = true;
            if (!meta.path("topic").asText().equals(pushTasks)) problems.add(so.where() + ": kafka trigger topic " + meta.path("topic").asText() + " is not " + pushTasks);
            if (!meta.path("consumerGroup").asText().equals(senderGroup)) problems.add(so.where() + ": kafka trigger group " + meta.path("consumerGroup").asText() + " is not the senders' " + senderGroup);
            String bootstrap = keysOf("ConfigMap").isEmpty() ? null : ofKind("ConfigMap").getFirst().node().path("data").path("KAFKA_BOOTSTRAP_SERVERS").asText(null);
            if (bootstrap != null && !meta.path("bootstrapServers").asText().equals(bootstrap)) {
              problems.add(so.where() + ": kafka trigger bootstrapServers " + meta.path("bootstrapServers").asText() + " differs from the ConfigMap's " + bootstrap);
            }
          }
          case "prometheus" -> {
            sawPrometheusTrigger = true;
            for (String metric : PromQl.metricNames(meta.path("query").asText())) {
              if (!PromQl.isKnown(metric)) problems.add(so.where() + ": prometheus trigger queries " + metric + ", which wxpush does not export");
            }
          }
          default -> { }
        }
      }
    }
    if (!sawKafkaTrigger) problems.add("no KEDA ScaledObject with a kafka trigger on " + pushTasks);
    if (!sawPrometheusTrigger) problems.add("no KEDA ScaledObject with a prometheus (backlog) trigger for share-group senders");
    for (Doc hpa : ofKind("HorizontalPodAutoscaler")) {
      checkScalesSenders(hpa, hpa.node().path("spec").path("scaleTargetRef").path("name").asText(), deployments, problems);
    }
    assertThat(problems).as("autoscalers").isEmpty();
  }

  private static void checkScalesSenders(Doc scaler, String target, Map<String, Doc> deployments, List<String> problems) {
    Doc deployment = deployments.get(target);
    if (deployment == null) {
      problems.add(scaler.where() + ": scales Deployment " + target + ", which deploy/k8s does not define");
      return;
    }
    for (JsonNode c : containers(deployment)) {
      if (!"push-worker".equals(moduleOf(c))) {
        problems.add(scaler.where() + ": scales " + target + ", which does not run push-worker");
        continue;
      }
      String roles = explicitEnv(c).getOrDefault("WORKER_ROLES", "credentials,fanout,sender");
      if (!List.of(roles.split(",")).contains("sender")) problems.add(scaler.where() + ": scales " + target + ", whose WORKER_ROLES=" + roles + " has no sender");
    }
  }
}
