package io.wxpush.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The sim checks wxpush's message push, so it must not share wxpush's codec or crypto: a bug on
 * both sides would pass every test. No main source of the sim names {@code io.wxpush.wechat.push}.
 */
class SimIndependenceTest {
  @Test
  void noMainSourceOfTheSimUsesWxpushsMessagePushCodecOrCrypto() throws IOException {
    Path main = Path.of("src/main/java");
    assertThat(main).isDirectory();
    List<String> offenders;
    try (Stream<Path> files = Files.walk(main)) {
      offenders = files.filter(p -> p.toString().endsWith(".java")).filter(SimIndependenceTest::namesWxpushPush)
          .map(Path::toString).toList();
    }
    assertThat(offenders).as("sim sources naming io.wxpush.wechat.push").isEmpty();
  }

  private static boolean namesWxpushPush(Path file) {
    try {
      return Files.readString(file).contains("io.wxpush.wechat.push");
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
