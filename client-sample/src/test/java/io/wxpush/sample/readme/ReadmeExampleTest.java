package io.wxpush.sample.readme;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The README's example of the client is code this module compiles with {@code wxpush-client} alone. */
class ReadmeExampleTest {
  @Test
  void everyLineOfTheReadmesClientExampleIsInTheCompiledExample() throws Exception {
    List<String> example = javaBlockAfter(Files.readString(Path.of("../README.md")), "Business services on the JVM add one artifact");
    List<String> compiled = Files.readAllLines(Path.of("src/main/java/io/wxpush/sample/readme/ReadmeExample.java")).stream().map(String::trim).toList();
    assertThat(example).isNotEmpty();
    assertThat(compiled).containsSubsequence(example);
  }

  /** The trimmed, non-blank lines of the first {@code ```java} block after {@code marker}. */
  static List<String> javaBlockAfter(String markdown, String marker) {
    int from = markdown.indexOf("```java", markdown.indexOf(marker));
    String block = markdown.substring(markdown.indexOf('\n', from) + 1, markdown.indexOf("```", from + 7));
    List<String> lines = new ArrayList<>();
    for (String line : block.split("\n")) if (!line.isBlank()) lines.add(line.trim());
    return lines;
  }
}
