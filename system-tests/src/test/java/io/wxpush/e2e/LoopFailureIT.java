package io.wxpush.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.wxpush.testkit.ApiClient;
import io.wxpush.testkit.JarProcess;
import io.wxpush.testkit.RealServices;
import io.wxpush.testkit.TestEnv;
import io.wxpush.worker.PushWorker;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A consumer loop that ends by an exception it cannot handle leaves no healthy-looking worker
 * behind. The failure here is real: a classic-mode sender joins the consumer group that
 * share-mode senders already made a share group, and the broker refuses it for good
 * (INCONSISTENT_GROUP_PROTOCOL).
 */
@ExtendWith(RealServices.class)
class LoopFailureIT {
  private Stack stack;

  @BeforeEach
  void start(TestEnv env) {
    stack = Stack.start(env, Map.of());
  }

  @AfterEach
  void stop() throws Exception {
    stack.close();
  }

  private static ApiClient.Reply health(int port) throws Exception {
    return ApiClient.local(port).health();
  }

  @Test
  void aDeadLoopTurnsHealthDownAndTheProcessExitsSayingWhy() throws Exception {
    PushWorker share = stack.worker("sender", Map.of());
    assertThat(health(share.port()).status()).isEqualTo(200);
    assertThat(health(share.port()).text()).contains("\"consumers\":\"UP\"");
    // the share group exists once a share consumer has joined it
    await().atMost(Duration.ofSeconds(60)).until(() -> {
      try (var admin = Admin.create(Map.of("bootstrap.servers", stack.env.kafkaBootstrapServers()))) {
        return admin.listGroups().all().get().stream().anyMatch(g -> g.groupId().equals(stack.env.group("senders")));
      }
    });

    // embedded: the worker stays up, but says it is not ready and reports the failure
    PushWorker classic = stack.worker("sender", Map.of("SENDER_MODE", "classic"));
    RuntimeException failure = classic.whenFailed().get(60, TimeUnit.SECONDS);
    assertThat(failure).hasMessageContaining("SENDER_MODE=share");
    ApiClient.Reply down = health(classic.port());
    assertThat(down.status()).isEqualTo(503);
    assertThat(down.text()).contains("\"consumers\":\"DOWN\"").contains("\"kafka\":\"UP\"");
    assertThat(share.whenFailed()).isNotDone();

    // as a process: it exits with status 1 and its log says why, so a supervisor restarts it
    Map<String, String> vars = new HashMap<>(Stack.baseEnv(stack.env, stack.sim, Map.of("SENDER_MODE", "classic")));
    vars.put("WORKER_ROLES", "sender");
    vars.put("HTTP_PORT", "0");
    try (JarProcess jar = JarProcess.start(JarProcess.siblingJar("push-worker"), vars)) {
      assertThat(jar.waitFor(Duration.ofSeconds(90))).as(jar.output()).isEqualTo(1);
      assertThat(jar.output())
          .contains("event=consumer_loop_failed loop=ClassicSenderLoop")
          .contains("event=exiting process=push-worker status=1 error=java.lang.IllegalStateException: consumer group")
          .contains("event=stopped process=push-worker");
    }
  }
}
