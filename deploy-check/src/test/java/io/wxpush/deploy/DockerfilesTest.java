package io.wxpush.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Each runnable module's Dockerfile builds the jar Maven produces and runs it as the code expects. */
class DockerfilesTest {

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

  @Test
  void everyRunnableModuleHasADockerfileAndAShadedJar() {
    List<String> problems = new ArrayList<>();
    for (String module : CodeFacts.MODULES) {
      if (!Files.isRegularFile(RepoFiles.path(module + "/Dockerfile"))) problems.add(module + "/Dockerfile is missing");
      String pom = RepoFiles.text(module + "/pom.xml");
      if (!pom.contains("<artifactId>" + module + "</artifactId>")) {
        problems.add(module + "/pom.xml does not have artifactId " + module + ", so target/" + module + ".jar is not what it builds");
      }
      if (!pom.contains("maven-shade-plugin")) problems.add(module + "/pom.xml does not shade: no runnable target/" + module + ".jar");
    }
    assertThat(problems).as("Dockerfiles and modules disagree").isEmpty();
  }

  @Test
  void dockerfilesCopyTheModuleJarAndRunItAsNonRootOnTheCodesPort() {
    List<String> problems = new ArrayList<>();
    for (String module : CodeFacts.MODULES) {
      String file = module + "/Dockerfile";
      List<String> ins = instructions(RepoFiles.text(file));
      int port = CodeFacts.httpPortDefault(module);
      if (port != CodeFacts.EXPECTED_PORTS.get(module)) {
        problems.add(module + " code default HTTP_PORT is " + port + ", expected " + CodeFacts.EXPECTED_PORTS.get(module));
      }

      List<String> from = args(ins, "FROM");
      if (from.isEmpty() || !from.getLast().startsWith("eclipse-temurin:21-jre")) {
        problems.add(file + ": runtime base image is " + from + ", expected eclipse-temurin:21-jre");
      }

      String jar = "target/" + module + ".jar";
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
          if (!same) problems.add(file + ": ENTRYPOINT runs " + runs + " but the jar was copied to " + copied);
        }
      }
    }
    assertThat(problems).as("Dockerfiles disagree with the modules").isEmpty();
  }
}
