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
        "PUSH_API_KEYS", "push-api-key-long-enough-0123");
    try (JarProcess p = JarProcess.start(JarProcess.moduleJar("ingest-api"), env)) {
      assertThat(p.waitFor(Duration.ofSeconds(60))).isEqualTo(2);
      assertThat(p.output()).contains("SESSION_SIGNING_KEY must be at least 32 bytes")
          .doesNotContain("tooshortkeyvalue").doesNotContain("appsecretvalue");
    }
  }

  @Test
  void aShortPushApiKeyOrAScopeOutsideWechatAppsIsRefusedWithoutPrintingTheKey() throws Exception {
    Map<String, String> env = Map.of(
        "WECHAT_APPS", "wxdemo:appsecretvalue",
        "SESSION_SIGNING_KEY", "signing-key-long-enough-0123456789abcdef",
        "PUSH_API_KEYS", "shortkey1,scoped-key-long-enough-0123456=wxdemo|wxnope");
    try (JarProcess p = JarProcess.start(JarProcess.moduleJar("ingest-api"), env)) {
      assertThat(p.waitFor(Duration.ofSeconds(60))).isEqualTo(2);
      assertThat(p.output())
          .contains("PUSH_API_KEYS entry 1: the key is shorter than 24 characters")
          .contains("PUSH_API_KEYS entry 2: scoped to 'wxnope', which WECHAT_APPS does not list")
          .doesNotContain("shortkey1").doesNotContain("scoped-key-long-enough").doesNotContain("Exception");
    }
  }
}
