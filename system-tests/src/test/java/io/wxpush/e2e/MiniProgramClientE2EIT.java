package io.wxpush.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.wxpush.testkit.RealServices;
import io.wxpush.testkit.TestEnv;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs the mini-program client library's end-to-end test (under Node, with a {@code wx} shim
 * doing real HTTP) against a real ingest-api, wechat-sim and credential sink.
 */
@ExtendWith(RealServices.class)
class MiniProgramClientE2EIT {

  @Test
  void theClientLibraryUploadsCredentialsThatReachThePool(TestEnv env) throws Exception {
    Path repo = Path.of("..").toAbsolutePath().normalize();
    Path e2e = repo.resolve("miniprogram-client/test/e2e.test.js");
    assertThat(e2e).exists();
    try (Stack stack = Stack.start(env, Map.of())) {
      stack.worker("credentials", Map.of());
      Path log = Files.createTempFile("wxpush-client-e2e", ".log");
      ProcessBuilder node = new ProcessBuilder("node", "--test", e2e.toString())
          .directory(repo.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
      node.environment().putAll(Map.of(
          "WXPUSH_E2E_INGEST_URL", "http://127.0.0.1:" + stack.api.port(),
          "WXPUSH_E2E_SIM_URL", stack.sim.baseUrl(),
          "WXPUSH_E2E_APP_ID", Stack.APP,
          "WXPUSH_E2E_PUSH_API_KEY", Stack.API_KEY));
      Process p = node.start();
      assertThat(p.waitFor(90, TimeUnit.SECONDS)).as("node finished").isTrue();
      String output = Files.readString(log);
      assertThat(p.exitValue()).as(output).isZero();
      assertThat(output).contains("# pass 1").contains("# skipped 0");
      new File(log.toString()).delete();
    }
  }
}
