package io.wxpush.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * One Dockerfile (the repository root's, {@code ARG MODULE} and {@code ARG HTTP_PORT}) builds each
 * runnable module's image: as docker-compose.yml builds it for a module, it copies the jar Maven
 * produces and runs it as the code expects.
 */
class DockerfilesTest {
  private static final String DOCKERFILE = "Dockerfile";

  /** Instructions with backslash continuations joined, comments dropped. */
  private static List<String> instructions(String dockerfile) {
    String joined = Arrays.stream(dockerfile.split("\n"))
        .filter(line -> !line.stripLeading().startsWith("#"))
        .reduce("", (a, line) -> a + line + "\n")
        .replaceAll("\\\\\\s*\n", " ");
    return Arrays.stream(joined.split("\n")).map(String::strip).filter(l -> !l.isEmpty()).toList();
  }

  private static List<String> args(List<String> instructions, String keyword) {
    return instructions.stream()
        .filter(i -> i.regionMatches(true, 0, keyword + " ", 0, keyword.length() + 1))
        .map(i -> i.substring(keyword.length()).strip())
        .toList();
  }

  /** The build args docker-compose.yml gives the module's image. */
  private static Map<String, String> composeArgs(String module) {
    Map<String, String> out = new LinkedHashMap<>();
    RepoFiles.yaml("docker-compose.yml").path("services").path(module).path("build").path("args").properties()
        .forEach(e -> out.put(e.getKey(), e.getValue().asText()));
    return out;
  }

  /** The Dockerfile's instructions after the last FROM, with the build args substituted as for {@code module}. */
  private static String asBuiltFor(String module) {
    String text = RepoFiles.text(DOCKERFILE);
    for (var arg : composeArgs(module).entrySet()) {
      text = text.replace("${" + arg.getKey() + "}", arg.getValue()).replaceAll("\\$" + arg.getKey() + "\\b", arg.getValue());
    }
    return text;
  }

  @Test
  void oneDockerfileWithArgModuleServesEveryRunnableModuleAndEachHasAShadedJar() {
    List<String> problems = new ArrayList<>();
    if (!Files.isRegularFile(RepoFiles.path(DOCKERFILE))) problems.add("the root Dockerfile is missing");
    List<String> ins = instructions(RepoFiles.text(DOCKERFILE));
    List<String> declared = new ArrayList<>();
    boolean afterFrom = false;
    for (String i : ins) {
      if (i.regionMatches(true, 0, "FROM ", 0, 5)) {
        afterFrom = true;
        declared.clear();
      } else if (afterFrom && i.regionMatches(true, 0, "ARG ", 0, 4)) {
        declared.add(i.substring(4).strip().replaceFirst("=.*$", ""));
      }
    }
    for (String arg : List.of("MODULE", "HTTP_PORT")) {
      if (!declared.contains(arg)) problems.add("Dockerfile: no ARG " + arg + " after its last FROM (an ARG before FROM is not seen by the build)");
    }
    String ignore = Files.isRegularFile(RepoFiles.path(".dockerignore")) ? RepoFiles.text(".dockerignore") : "";
    for (String module : CodeFacts.MODULES) {
      if (Files.exists(RepoFiles.path(module + "/Dockerfile"))) problems.add(module + "/Dockerfile: a second recipe; the root Dockerfile builds every module");
      Map<String, String> args = composeArgs(module);
      if (!module.equals(args.get("MODULE"))) problems.add("docker-compose.yml builds " + module + " with MODULE=" + args.get("MODULE"));
      if (!Integer.toString(CodeFacts.EXPECTED_PORTS.get(module)).equals(args.get("HTTP_PORT"))) {
        problems.add("docker-compose.yml builds " + module + " with HTTP_PORT=" + args.get("HTTP_PORT") + ", the code's is " + CodeFacts.EXPECTED_PORTS.get(module));
      }
      String jar = module + "/target/" + module + ".jar";
      if (!ignore.isEmpty() && !ignore.lines().map(String::strip).toList().contains("!" + jar)) {
        problems.add(".dockerignore leaves " + jar + " out of the build context");
      }
      String pom = RepoFiles.text(module + "/pom.xml");
      if (!pom.contains("<artifactId>" + module + "</artifactId>")) {
        problems.add(module + "/pom.xml does not have artifactId " + module + ", so target/" + module + ".jar is not what it builds");
      }
      if (!pom.contains("maven-shade-plugin")) problems.add(module + "/pom.xml does not shade: no runnable target/" + module + ".jar");
    }
    assertThat(problems).as("the Dockerfile and the modules disagree").isEmpty();
  }

  @Test
  void asBuiltForEachModuleTheImageCopiesItsJarAndRunsItAsNonRootOnTheCodesPort() {
    List<String> problems = new ArrayList<>();
    for (String module : CodeFacts.MODULES) {
      String file = "Dockerfile (MODULE=" + module + ")";
      List<String> ins = instructions(asBuiltFor(module));
      int port = CodeFacts.httpPortDefault(module);
      if (port != CodeFacts.EXPECTED_PORTS.get(module)) {
        problems.add(module + " code default HTTP_PORT is " + port + ", expected " + CodeFacts.EXPECTED_PORTS.get(module));
      }

      List<String> from = args(ins, "FROM");
      if (from.isEmpty() || !from.getLast().startsWith("eclipse-temurin:21-jre")) {
        problems.add(file + ": runtime base image is " + from + ", expected eclipse-temurin:21-jre");
      }

      String jar = module + "/target/" + module + ".jar";
      String copied = null;
      for (String copy : args(ins, "COPY")) {
        String[] parts = copy.replaceAll("--\\S+", "").trim().split("\\s+");
        if (parts.length == 2 && parts[0].equals(jar)) copied = parts[1];
      }
      if (copied == null) problems.add(file + ": no COPY of " + jar + " (the runnable jar Maven writes)");

      List<String> exposed = args(ins, "EXPOSE");
      if (!exposed.stream().flatMap(e -> Arrays.stream(e.split("\\s+"))).map(p -> p.replace("/tcp", "")).toList().contains(Integer.toString(port))) {
        problems.add(file + ": EXPOSE " + exposed + " does not include the code's HTTP_PORT default " + port);
      }
      for (String env : args(ins, "ENV")) {
        Matcher m = Pattern.compile("HTTP_PORT[= ](\\S+)").matcher(env);
        if (m.find() && !m.group(1).equals(Integer.toString(port))) {
          problems.add(file + ": ENV HTTP_PORT=" + m.group(1) + " but the code's default and EXPOSE are " + port);
        }
        for (String name : env.split("\\s+")) {
          String var = name.contains("=") ? name.substring(0, name.indexOf('=')) : name;
          if (var.matches("[A-Z][A-Z0-9_]*") && !CodeFacts.envVarsReadBy(module).contains(var) && !var.startsWith("JAVA_")) {
            problems.add(file + ": ENV " + var + " is not a variable " + module + " reads");
          }
        }
      }

      List<String> users = args(ins, "USER");
      if (users.isEmpty() || users.getLast().matches("(root|0)(:.*)?")) problems.add(file + ": must end with a non-root USER, has " + users);

      List<String> health = args(ins, "HEALTHCHECK");
      if (health.size() != 1) {
        problems.add(file + ": expected one HEALTHCHECK, found " + health.size());
      } else {
        String h = health.getFirst();
        if (!h.contains("/health")) problems.add(file + ": HEALTHCHECK does not call /health: " + h);
        if (!h.contains(":" + port + "/") && !h.contains(":${HTTP_PORT}/")) {
          problems.add(file + ": HEALTHCHECK does not target port " + port + " (or ${HTTP_PORT}): " + h);
        }
        String tool = h.contains("curl") ? "curl" : h.contains("wget") ? "wget" : null;
        if (tool == null) {
          problems.add(file + ": HEALTHCHECK uses neither curl nor wget: " + h);
        } else if (args(ins, "RUN").stream().noneMatch(r -> r.matches(".*(apt-get|apk|microdnf|dnf|yum)\\b.*\\binstall\\b.*\\b" + tool + "\\b.*"))) {
          problems.add(file + ": HEALTHCHECK needs " + tool + " but no RUN installs it");
        }
      }

      List<String> entry = args(ins, "ENTRYPOINT");
      if (entry.size() != 1 || !entry.getFirst().startsWith("[")) {
        problems.add(file + ": needs one exec-form ENTRYPOINT [\"java\", …] (so java is PID 1 and gets SIGTERM), has " + entry);
      } else {
        List<String> argv = Arrays.stream(entry.getFirst().replaceAll("[\\[\\]]", "").split(","))
            .map(a -> a.strip().replaceAll("^\"|\"$", "")).toList();
        if (!argv.getFirst().equals("java")) problems.add(file + ": ENTRYPOINT starts with " + argv.getFirst() + ", not java");
        if (!argv.contains("-XX:MaxRAMPercentage=75")) problems.add(file + ": ENTRYPOINT lacks -XX:MaxRAMPercentage=75 (container-aware heap)");
        int jarAt = argv.indexOf("-jar");
        if (jarAt < 0 || jarAt + 1 >= argv.size()) {
          problems.add(file + ": ENTRYPOINT has no -jar <path>: " + argv);
        } else if (copied != null) {
          String runs = argv.get(jarAt + 1);
          boolean same = runs.equals(copied) || copied.endsWith("/") && runs.equals(copied + module + ".jar");
          if (runs.contains("$")) problems.add(file + ": ENTRYPOINT's exec form does not expand " + runs + ": name a fixed path");
          if (!same) problems.add(file + ": ENTRYPOINT runs " + runs + " but the jar was copied to " + copied);
        }
      }
    }
    assertThat(problems).as("Dockerfiles disagree with the modules").isEmpty();
  }
}
