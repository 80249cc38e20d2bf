package io.wxpush.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * One class owns the Redis key layout ({@code common/.../redis/RedisKeys.java}): no other class
 * of the product builds a key. A key is built by gluing the key prefix to a literal, by a literal
 * that opens a hash tag ({@code "push{" + …}), or by a literal family suffix ({@code + ":pool"}).
 */
class RedisKeyOwnerTest {
  private static final String OWNER = "common/src/main/java/io/wxpush/redis/RedisKeys.java";
  /** Kafka topic and group names share the prefix idea but are not Redis keys. */
  private static final String TOPICS = "common/src/main/java/io/wxpush/kafka/Topics.java";
  private static final Pattern KEY_BUILDING = Pattern.compile(
      "(prefix|Prefix\\(\\))\\s*\\+\\s*\"" // prefix + "…"
          + "|\"[a-z]+\\{\"\\s*\\+"              // "push{" + …
          + "|\\+\\s*\":[a-z]+\"");              // … + ":pool"

  static List<String> keyBuildingLines(String file, String source) {
    List<String> found = new ArrayList<>();
    String[] lines = source.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].strip();
      if (line.startsWith("//") || line.startsWith("*")) continue;
      if (KEY_BUILDING.matcher(line).find()) found.add(file + ":" + (i + 1) + ": " + line);
    }
    return found;
  }

  @Test
  void noClassButRedisKeysBuildsARedisKey() throws IOException {
    List<String> found = new ArrayList<>();
    try (Stream<Path> files = Files.walk(RepoFiles.ROOT)) {
      files.filter(p -> p.toString().endsWith(".java"))
          .map(p -> RepoFiles.ROOT.relativize(p).toString().replace('\\', '/'))
          .filter(p -> p.contains("/src/main/java/") && !p.equals(OWNER) && !p.equals(TOPICS))
          .forEach(p -> {
            try {
              found.addAll(keyBuildingLines(p, Files.readString(RepoFiles.path(p))));
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            }
          });
    }
    assertThat(found).as("Redis keys built outside RedisKeys").isEmpty();
  }

  @Test
  void theScanFindsEachWayOfBuildingAKey() {
    assertThat(keyBuildingLines("A.java", "return prefix + \"pause{\" + appId + \"}\";")).hasSize(1);
    assertThat(keyBuildingLines("A.java", "String k = \"push{\" + rid;")).hasSize(1);
    assertThat(keyBuildingLines("A.java", "String k = base + \":uploads\";")).hasSize(1);
    assertThat(keyBuildingLines("A.java", "return keys.pause(appId);")).isEmpty();
    assertThat(keyBuildingLines("A.java", "return appId + \":\" + openId; // a Kafka key")).isEmpty();
  }
}
