package io.wxpush.push;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * BRIEF rule 10: one owner writes a push's {@code state} and one place lists the final states. Scans
 * every module's main Java and Lua sources and the console's script: no file but the owners writes the
 * status hash's {@code state} field, and none spells out the final states as a list or a chain of tests.
 */
class PushStateOwnerTest {
  /** The owners: the table and its one writer, on each side. */
  private static final Set<String> OWNERS = Set.of("PushState.java", "PushTransition.java", "PushLifecycle.java", "push-lib.lua");
  private static final Pattern QUOTED = Pattern.compile("[\"'](done|failed|cancelled|scheduled|accepted|fanning_out|sending)[\"']");
  private static final Pattern JAVA_STATE_WRITE = Pattern.compile("(?i)(hset|hsetnx|hmset|hincrBy)\\s*\\([^;]*\"state\"");
  private static final Pattern LUA_STATE = Pattern.compile("['\"]state['\"]");

  private static Path root() {
    Path here = Path.of("").toAbsolutePath();
    while (here != null && !Files.exists(here.resolve("mvnw"))) here = here.getParent();
    assertThat(here).as("the repository's root").isNotNull();
    return here;
  }

  private static List<Path> sources() {
    try (Stream<Path> all = Files.walk(root())) {
      return all.filter(Files::isRegularFile)
          .filter(p -> p.toString().contains("/src/main/"))
          .filter(p -> !p.toString().contains("/target/") && !p.toString().contains("/node_modules/"))
          .filter(p -> p.toString().endsWith(".java") || p.toString().endsWith(".lua") || p.toString().endsWith(".js"))
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String read(Path p) {
    try {
      return Files.readString(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A line (or a Lua/JS statement on it) that names every final state and no other state: a list of the final states. */
  static boolean listsFinalStates(String line) {
    Set<String> named = new HashSet<>();
    Matcher m = QUOTED.matcher(line);
    while (m.find()) named.add(m.group(1));
    return named.containsAll(Set.of("done", "failed", "cancelled"))
        && !named.contains("scheduled") && !named.contains("accepted") && !named.contains("fanning_out") && !named.contains("sending");
  }

  @Test
  void theScannerFindsTheListsAndWritesItIsMeantToFind() {
    assertThat(listsFinalStates("const FINAL = new Set(['done', 'failed', 'cancelled']);")).isTrue();
    assertThat(listsFinalStates("return state.equals(\"done\") || state.equals(\"failed\") || state.equals(\"cancelled\");")).isTrue();
    assertThat(listsFinalStates("if state == 'done' or state == 'failed' or state == 'cancelled' then return 'final' end")).isTrue();
    assertThat(listsFinalStates("const states = ['', 'scheduled', 'accepted', 'fanning_out', 'sending', 'done', 'failed', 'cancelled'];")).isFalse();
    assertThat(JAVA_STATE_WRITE.matcher("redis.hset(key, Map.of(\"state\", \"failed\", \"reason\", reason));").find()).isTrue();
    assertThat(JAVA_STATE_WRITE.matcher("redis.hset(status(rid), \"state\", \"scheduled\");").find()).isTrue();
    assertThat(LUA_STATE.matcher("redis.call('HSET', KEYS[1], 'state', 'sending')").find()).isTrue();
  }

  @Test
  void noFileButTheOwnersWritesAPushsStateOrListsTheFinalStates() {
    List<String> problems = new ArrayList<>();
    List<Path> files = sources();
    assertThat(files).as("the scan sees the sources").anyMatch(p -> p.endsWith("push-outcome.lua")).anyMatch(p -> p.endsWith("app.js"))
        .anyMatch(p -> p.endsWith("PushHandler.java"));
    for (Path p : files) {
      String name = p.getFileName().toString();
      if (OWNERS.contains(name)) continue;
      String[] lines = read(p).split("\n");
      for (int i = 0; i < lines.length; i++) {
        String line = lines[i];
        String where = root().relativize(p) + ":" + (i + 1) + ": " + line.strip();
        if (listsFinalStates(line)) problems.add("lists the final states: " + where);
        if (name.endsWith(".java") && JAVA_STATE_WRITE.matcher(line).find()) problems.add("writes state: " + where);
        if (name.endsWith(".lua") && !line.strip().startsWith("--") && LUA_STATE.matcher(line).find()) problems.add("touches state: " + where);
      }
    }
    assertThat(problems).isEmpty();
  }
}
