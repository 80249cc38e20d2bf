package io.wxpush.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * No module's main code has a package cycle: within each module (every directory with
 * {@code src/main/java}), the packages' dependencies through imports and inline qualified names form
 * a graph without a cycle, but for the dependencies listed in {@link #KNOWN} (none). {@link WorkerPackagesTest} checks push-worker's layers
 * more strictly.
 */
class PackageCyclesTest {
  private static final Pattern PACKAGE = Pattern.compile("^package ([\\w.]+);", Pattern.MULTILINE);
  /** A reference to a class of a wxpush package: an import, a static import or an inline name. */
  private static final Pattern REFERENCE = Pattern.compile("\\b(io\\.wxpush(?:\\.[a-z]\\w*)*)\\.[A-Z]");

  /**
   * Dependencies that close a cycle and are still to be broken, each "module: from -> to". Empty: no
   * new line without an issue that plans its removal.
   */
  static final Set<String> KNOWN = Set.of();

  /** The package of each class file's source in {@code files}, and the packages each depends on. */
  static Map<String, Set<String>> graph(Map<String, String> sources) {
    Map<String, String> packageOf = new HashMap<>();
    sources.forEach((file, src) -> {
      Matcher m = PACKAGE.matcher(src);
      if (m.find()) packageOf.put(file, m.group(1));
    });
    Set<String> own = new TreeSet<>(packageOf.values());
    Map<String, Set<String>> deps = new TreeMap<>();
    own.forEach(p -> deps.put(p, new TreeSet<>()));
    sources.forEach((file, src) -> {
      String from = packageOf.get(file);
      if (from == null) return;
      Matcher m = REFERENCE.matcher(src);
      while (m.find()) {
        String to = m.group(1);
        if (!to.equals(from) && own.contains(to)) deps.get(from).add(to);
      }
    });
    return deps;
  }

  /** The cycles of {@code module}'s graph without its {@link #KNOWN} dependencies: each a sorted set of packages. */
  static List<Set<String>> cycles(String module, Map<String, Set<String>> deps, Set<String> known) {
    Map<String, Set<String>> pruned = new TreeMap<>();
    deps.forEach((from, tos) -> {
      Set<String> kept = new TreeSet<>();
      for (String to : tos) if (!known.contains(module + ": " + from + " -> " + to)) kept.add(to);
      pruned.put(from, kept);
    });
    return new Tarjan(pruned).components().stream().filter(c -> c.size() > 1).toList();
  }

  /** Tarjan's strongly connected components. */
  private static final class Tarjan {
    private final Map<String, Set<String>> deps;
    private final Map<String, Integer> index = new HashMap<>();
    private final Map<String, Integer> low = new HashMap<>();
    private final Deque<String> stack = new ArrayDeque<>();
    private final Set<String> onStack = new TreeSet<>();
    private final List<Set<String>> found = new ArrayList<>();

    Tarjan(Map<String, Set<String>> deps) {
      this.deps = deps;
    }

    List<Set<String>> components() {
      for (String p : deps.keySet()) if (!index.containsKey(p)) visit(p);
      return found;
    }

    private void visit(String p) {
      index.put(p, index.size());
      low.put(p, index.get(p));
      stack.push(p);
      onStack.add(p);
      for (String q : deps.getOrDefault(p, Set.of())) {
        if (!index.containsKey(q)) {
          visit(q);
          low.put(p, Math.min(low.get(p), low.get(q)));
        } else if (onStack.contains(q)) {
          low.put(p, Math.min(low.get(p), index.get(q)));
        }
      }
      if (low.get(p).equals(index.get(p))) {
        Set<String> component = new TreeSet<>();
        String q;
        do {
          q = stack.pop();
          onStack.remove(q);
          component.add(q);
        } while (!q.equals(p));
        found.add(component);
      }
    }
  }

  private static List<String> modules() {
    List<String> modules = new ArrayList<>();
    try (var dirs = Files.list(RepoFiles.ROOT)) {
      dirs.filter(d -> Files.isDirectory(d.resolve("src/main/java")))
          .map(d -> d.getFileName().toString()).sorted().forEach(modules::add);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return modules;
  }

  @Test
  void noModuleHasAPackageCycleBeyondTheKnownOnes() {
    List<String> modules = modules();
    assertThat(modules).contains("common", "ingest-api", "push-worker", "wechat-sim", "client", "testkit", "demo");
    List<String> found = new ArrayList<>();
    for (String module : modules) {
      Map<String, String> sources = new HashMap<>();
      for (Path p : RepoFiles.filesUnder(module + "/src/main/java", ".java")) {
        sources.put(RepoFiles.relative(p), RepoFiles.text(RepoFiles.relative(p)));
      }
      cycles(module, graph(sources), KNOWN).forEach(c -> found.add(module + ": " + c));
    }
    assertThat(found).as("package cycles (an edge listed in KNOWN is left out)").isEmpty();
  }

  @Test
  void theCheckSeesImportsStaticImportsAndInlineNamesAndLongCycles() {
    Map<String, String> twoByImport = Map.of(
        "A.java", "package io.wxpush.a;\nimport io.wxpush.b.B;\n",
        "B.java", "package io.wxpush.b;\nimport static io.wxpush.a.A.X;\n");
    assertThat(cycles("m", graph(twoByImport), Set.of())).containsExactly(Set.of("io.wxpush.a", "io.wxpush.b"));
    Map<String, String> threeInline = Map.of(
        "A.java", "package io.wxpush.a;\nclass A { io.wxpush.b.B b; }\n",
        "B.java", "package io.wxpush.b;\nimport io.wxpush.c.C;\n",
        "C.java", "package io.wxpush.c;\nclass C { java.util.List<io.wxpush.a.A> as; }\n");
    assertThat(cycles("m", graph(threeInline), Set.of())).containsExactly(Set.of("io.wxpush.a", "io.wxpush.b", "io.wxpush.c"));
    assertThat(cycles("m", graph(threeInline), Set.of("m: io.wxpush.c -> io.wxpush.a"))).isEmpty();
    Map<String, String> oneWay = Map.of(
        "A.java", "package io.wxpush.a;\nimport io.wxpush.b.B;\n",
        "B.java", "package io.wxpush.b;\nimport io.wxpush.other.Elsewhere;\n");
    assertThat(cycles("m", graph(oneWay), Set.of())).isEmpty();
  }
}
