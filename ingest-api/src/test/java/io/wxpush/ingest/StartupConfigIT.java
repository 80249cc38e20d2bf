package io.wxpush.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.wxpush.testkit.JarProcess;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StartupConfigIT {

  @Test
  void startingWithoutRequiredVariablesExitsNonZeroNamingEach() throws Exception {
    try (JarProcess p = JarProcess.start(JarProcess.moduleJar("ingest-api"), Map.of())) {
      assertThat(p.waitFor(Duration.ofSeconds(60))).isEqualTo(2);
      assertThat(p.output())
          .contains("WECHAT_APPS is required")
          .contains("SESSION_SIGNING_KEY is required")
          .contains("PUSH_API_KEYS is required")
          .doesNotContain("Exception");
    }
  }

  @Test
  void aWeakSigningKeyIsRefusedWithoutPrintingIt() throws Exception {
    Map<String, String> env = Map.of(
        "WECHAT_APPS", "wxdemo:appsecretvalue",
        "SESSION_SIGNING_KEY", "tooshortkeyvalue",
        "PUSH_API_KEYS", "k1");
    try (JarProcess p = JarProcess.start(JarProcess.moduleJar("ingest-api"), env)) {
      assertThat(p.waitFor(Duration.ofSeconds(60))).isEqualTo(2);
      assertThat(p.output()).contains("SESSION_SIGNING_KEY must be at least 32 bytes")
          .doesNotContain("tooshortkeyvalue").doesNotContain("appsecretvalue");
    }
  }
}
