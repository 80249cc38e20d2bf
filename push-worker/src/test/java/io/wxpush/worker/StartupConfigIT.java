package io.wxpush.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.wxpush.testkit.JarProcess;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StartupConfigIT {

  @Test
  void anUnknownRoleOrMissingAppsStopsTheWorkerNamingTheVariable() throws Exception {
    try (JarProcess p = JarProcess.start(JarProcess.moduleJar("push-worker"), Map.of("WORKER_ROLES", "sendr"))) {
      assertThat(p.waitFor(Duration.ofSeconds(60))).isEqualTo(2);
      assertThat(p.output()).contains("WORKER_ROLES unknown role 'sendr'").contains("WECHAT_APPS is required");
    }
  }
}
