package io.wxpush.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.wxpush.sim.SimMessage;
import io.wxpush.sim.SimTemplate;
import io.wxpush.testkit.RealServices;
import io.wxpush.testkit.TestEnv;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The operator console in a real browser (issues 18 and 31): headless Chromium driven by
 * playwright-core ({@code console-tests/console.test.mjs}) against this JVM's ingest-api, a
 * push-worker and wechat-sim. The script signs in to a console in Chinese, watches a broadcast's
 * progress bar reach 100 %, reads its reasons grouped as skipped / failed / in doubt, looks one
 * user's outcome up, switches to English and back, cancels a scheduled push, edits a policy, reads
 * the app's quota, signs in as a viewer (no new-push form, cancel, retry or policy edit) and as an
 * operator (previews a subscribe push as a dry run, then sends it), reads the audit trail as an
 * admin, reads the fleet, and signs in with a key scoped to another app. Here: it passes, and the
 * subscribe message it sent reached the user in the sim. Screenshots land in
 * {@code system-tests/target/screenshots}; the Chinese console's pictures the README shows are
 * written to {@code docs/images}.
 */
@ExtendWith(RealServices.class)
class ConsoleBrowserIT {
  private static final String APP_B = "wxapp2";
  private static final String KEY_B = "team-b-console-key-0123456789";
  private static final String KEY_VIEWER = "support-viewer-console-key-0123";
  private static final String KEY_OPERATOR = "ops-operator-console-key-01234";

  @Test
  void viewersOperatorsAndAdminsWorkThroughTheChineseConsole(TestEnv env) throws Exception {
    Path root = Path.of("..").toAbsolutePath().normalize();
    Path script = root.resolve("console-tests/console.test.mjs");
    assertThat(root.resolve("console-tests/node_modules/playwright-core")).as("npm ci --prefix console-tests (scripts/test.sh does it)").exists();
    assertThat(Path.of(System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium"))).as("apt-get install -y chromium (scripts/test.sh does it)").exists();
    try (Stack stack = Stack.start(env, Map.of(
        "WECHAT_APPS", Stack.APP + ":" + Stack.APP_SECRET + "," + APP_B + ":app-secret-for-tests-2",
        "PUSH_API_KEYS", Stack.API_KEY + "," + KEY_B + "=" + APP_B + "," + KEY_VIEWER + "@viewer," + KEY_OPERATOR + "@operator"), b -> b.app(APP_B, "app-secret-for-tests-2"))) {
      stack.sim.registerTemplate(new SimTemplate(Stack.APP, "TPL_ORDER", SimTemplate.Kind.TEMPLATE, List.of("keyword1"), Set.of()));
      List<String> reachable = Stack.users("con", 240);
      List<String> users = new ArrayList<>(reachable);
      users.addAll(Stack.users("gone", 20)); // no credential: the reasons chart has a bar
      stack.seedFormIds(reachable, 2, System.currentTimeMillis());
      String subscriber = "sub-1";
      String revoked = "sub-revoked"; // holds a grant here, but turned the template off in WeChat: 43101
      stack.seedGrants(List.of(subscriber, revoked), "TPL_SUB");
      stack.sim.revokeSubscription(Stack.APP, revoked, "TPL_SUB");
      stack.sim.faults().latency(Duration.ofMillis(40), Duration.ZERO); // a broadcast that takes some seconds, to watch
      stack.worker("credentials,fanout,sender", Map.of("SENDER_CONCURRENCY", "4", "FANOUT_PAGE", "40"));

      Path shots = Path.of("target/screenshots").toAbsolutePath();
      Files.createDirectories(shots);
      Map<String, String> vars = new HashMap<>(Map.of("WXPUSH_URL", "http://127.0.0.1:" + stack.api.port(), "WXPUSH_KEY", Stack.API_KEY,
          "WXPUSH_KEY_B", KEY_B, "WXPUSH_APP", Stack.APP, "WXPUSH_APP_B", APP_B, "WXPUSH_USERS", String.join(",", users),
          "WXPUSH_SUB_USER", subscriber, "SCREENSHOTS", shots.toString()));
      vars.putAll(Map.of("WXPUSH_KEY_VIEWER", KEY_VIEWER, "WXPUSH_KEY_OPERATOR", KEY_OPERATOR, "WXPUSH_REVOKED_USER", revoked,
          "DOC_IMAGES", root.resolve("docs/images").toString()));
      ProcessBuilder node = new ProcessBuilder("node", "--test", "--test-reporter=spec", script.toString()).directory(root.resolve("console-tests").toFile())
          .redirectErrorStream(true);
      node.environment().putAll(vars);
      Process p = node.start();
      StringBuilder out = new StringBuilder();
      Thread reader = Thread.ofPlatform().start(() -> {
        try (var lines = p.inputReader().lines()) {
          lines.forEach(l -> {
            System.out.println("[console-tests] " + l);
            out.append(l).append('\n');
          });
        }
      });
      boolean ended = p.waitFor(6, TimeUnit.MINUTES);
      if (!ended) p.destroyForcibly();
      reader.join(5_000);
      assertThat(ended).as("the browser tests ended in time").isTrue();
      assertThat(p.exitValue()).as("the browser tests passed:\n" + out).isZero();

      List<SimMessage> inbox = stack.sim.inbox(Stack.APP, subscriber);
      assertThat(inbox).as("the push sent from the form reached its user").hasSize(1);
      assertThat(inbox.getFirst().kind()).isEqualTo("subscribe");
      assertThat(inbox.getFirst().data()).containsEntry("thing1", "Your parcel is here");
      for (String png : new String[] {"pushes", "push", "new-push", "apps", "audit", "fleet"}) {
        assertThat(shots.resolve(png + ".png")).as("screenshot " + png).exists().isNotEmptyFile();
      }
    }
  }
}
