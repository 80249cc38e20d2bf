package io.wxpush.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The client artifact is what a business service adds: its runtime dependencies hold nothing of
 * the server, and its public API is the one listed in {@code client/API.txt} (a change to the API
 * is a change to that file, seen in review). On a mismatch the real listing is written to
 * {@code target/API.actual.txt}.
 */
class ClientArtifactTest {
  private static final List<String> SERVER_LIBRARIES = List.of("io.javalin:", "org.eclipse.jetty", "redis.clients:jedis",
      "com.squareup.okhttp3:", "com.github.ben-manes.caffeine:", "io.wxpush:");

  @Test
  void theRuntimeDependenciesHoldNothingOfTheServer() throws IOException {
    List<String> dependencies = Files.readAllLines(Path.of("target/runtime-dependencies.txt")).stream()
        .map(String::trim).filter(l -> l.matches("[\\w.-]+:[\\w.-]+:.*")).toList();
    assertThat(dependencies).as("read from the dependency plugin's list").isNotEmpty()
        .anyMatch(d -> d.startsWith("com.fasterxml.jackson.core:jackson-databind:"));
    for (String library : SERVER_LIBRARIES) {
      assertThat(dependencies).as("runtime dependencies").noneMatch(d -> d.startsWith(library));
    }
  }

  @Test
  void everyPublicTypeIsInOnePackageAndThePublicApiIsTheListedOne() throws Exception {
    List<String> actual = publicApi();
    assertThat(actual).as("every public type and member is in io.wxpush.client").allMatch(l -> l.matches("(\\w+ )?io\\.wxpush\\.client\\..*"));
    List<String> listed = Files.readAllLines(Path.of("API.txt")).stream().filter(l -> !l.isBlank() && !l.startsWith("#")).toList();
    if (!actual.equals(listed)) Files.write(Path.of("target/API.actual.txt"), actual);
    assertThat(actual).as("the public API (the real one is in target/API.actual.txt)").containsExactlyElementsOf(listed);
  }

  /** Every public type under target/classes with its public constructors, methods and fields, one per line, sorted. */
  static List<String> publicApi() throws Exception {
    Path classes = Path.of("target/classes");
    List<String> lines = new ArrayList<>();
    try (Stream<Path> files = Files.walk(classes)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".class")).toList()) {
        String name = classes.relativize(file).toString().replace('/', '.').replaceAll("\\.class$", "").replace('$', '.');
        Class<?> type = Class.forName(binaryName(classes, file));
        if (!isExported(type)) continue;
        lines.add(kind(type) + " " + name);
        for (Constructor<?> c : type.getDeclaredConstructors()) {
          if (Modifier.isPublic(c.getModifiers())) lines.add(name + "(" + params(c.getParameterTypes()) + ")");
        }
        for (Method m : type.getDeclaredMethods()) {
          if (Modifier.isPublic(m.getModifiers()) && !m.isSynthetic() && !m.isBridge()) {
            lines.add(name + (Modifier.isStatic(m.getModifiers()) ? " static " : " ") + m.getReturnType().getTypeName() + " " + m.getName()
                + "(" + params(m.getParameterTypes()) + ")");
          }
        }
        for (Field f : type.getDeclaredFields()) {
          if (Modifier.isPublic(f.getModifiers()) && !f.isSynthetic()) lines.add(name + " field " + f.getType().getTypeName() + " " + f.getName());
        }
      }
    }
    return lines.stream().sorted().toList();
  }

  private static String binaryName(Path classes, Path file) {
    return classes.relativize(file).toString().replace('/', '.').replaceAll("\\.class$", "");
  }

  private static boolean isExported(Class<?> type) {
    for (Class<?> t = type; t != null; t = t.getEnclosingClass()) {
      if (!Modifier.isPublic(t.getModifiers()) || t.isAnonymousClass() || t.isSynthetic()) return false;
    }
    return true;
  }

  private static String kind(Class<?> type) {
    if (type.isRecord()) return "record";
    if (type.isEnum()) return "enum";
    if (type.isInterface()) return "interface";
    return "class";
  }

  private static String params(Class<?>[] types) {
    return Arrays.stream(types).map(Class::getTypeName).collect(Collectors.joining(", "));
  }
}
