package io.wxpush.sample.readme;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The README's Spring Boot example is code this module compiles with the starter. */
class ReadmeExampleTest {
  @Test
  void everyLineOfTheReadmesSpringBootExampleIsInTheCompiledExample() throws Exception {
    String markdown = Files.readString(Path.of("../README.md"));
    int from = markdown.indexOf("```java", markdown.indexOf("**Spring Boot.**"));
    String block = markdown.substring(markdown.indexOf('\n', from) + 1, markdown.indexOf("```", from + 7));
    List<String> example = new ArrayList<>();
    for (String line : block.split("\n")) if (!line.isBlank()) example.add(line.trim());
    List<String> compiled = Files.readAllLines(Path.of("src/test/java/io/wxpush/sample/readme/ReadmeExample.java")).stream().map(String::trim).toList();
    assertThat(example).isNotEmpty();
    assertThat(compiled).containsSubsequence(example);
  }
}
