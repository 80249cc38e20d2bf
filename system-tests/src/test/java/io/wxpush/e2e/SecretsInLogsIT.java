package io.wxpush.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import io.wxpush.redis.RedisKeys;
import io.wxpush.sim.SimTemplate;
import io.wxpush.testkit.ApiClient;
import io.wxpush.testkit.JarProcess;
import io.wxpush.testkit.RealServices;
import io.wxpush.testkit.TestEnv;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

/**
 * Runs logins, uploads, a push with token refreshes and refusals, and a worker process, with
 * wxpush logging at DEBUG, then scans every log line for the secrets in play: app secret,
 * signing key, push API key, session tokens and WeChat access tokens. None may appear.
 */
@ExtendWith(RealServices.class)
class SecretsInLogsIT {

  @Test
  void noSecretReachesALogLine(TestEnv env) throws Exception {
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    Logger wxpush = (Logger) LoggerFactory.getLogger("io.wxpush");
    ListAppender<ILoggingEvent> captured = new ListAppender<>();
    captured.start();
    root.addAppender(captured);
    Level before = wxpush.getLevel();
    wxpush.setLevel(Level.DEBUG);
    Set<String> secrets = new LinkedHashSet<>(List.of(Stack.APP_SECRET, Stack.SIGNING_KEY, Stack.API_KEY));
    String workerOutput;
    try (Stack stack = Stack.start(env, Map.of())) {
      stack.sim.registerTemplate(new SimTemplate(Stack.APP, "TPL_ORDER", SimTemplate.Kind.TEMPLATE, List.of("keyword1"), Set.of()));
      List<String> openIds = new ArrayList<>();
      for (int i = 0; i < 30; i++) {
        String openId = "sec" + i;
        openIds.add(openId);
        String token = stack.login(openId);
        secrets.add(token);
        String formId = stack.sim.mintFormIds(Stack.APP, openId, 1).getFirst();
        stack.client.uploadCredentials(token, List.of(ApiClient.credential("form_id", formId, System.currentTimeMillis())));
      }
      stack.client.createSession(Stack.APP, "bad-code");
      stack.client.pushStatus("not-the-key", "x");

      Map<String, String> vars = new HashMap<>(Stack.baseEnv(env, stack.sim, Map.of("WORKER_ROLES", "credentials,fanout,sender", "HTTP_PORT", "0",
          "WXPUSH_LOG_LEVEL", "DEBUG")));
      try (JarProcess worker = JarProcess.start(JarProcess.siblingJar("push-worker"), vars);
          var redis = stack.redis()) {
        await().atMost(Duration.ofSeconds(60)).until(() -> {
          for (String o : openIds) {
            if (stack.client.userCredentials(Stack.API_KEY, Stack.APP, o).body().path("formIds").asInt() != 1) return false;
          }
          return true;
        });
        String rid = stack.push(Map.of("appId", Stack.APP, "kind", "template", "templateId", "TPL_ORDER",
            "data", Map.of("keyword1", "x"), "audience", Map.of("openIds", openIds.subList(0, 15))));
        await().atMost(Duration.ofSeconds(60)).until(() -> stack.status(rid).path("sent").asInt() == 15);
        String tokenKey = new RedisKeys(env.redisKeyPrefix()).token(Stack.APP);
        secrets.add(redis.get(tokenKey));
        stack.sim.invalidateTokens(Stack.APP); // refusals and a refresh get logged
        String rid2 = stack.push(Map.of("appId", Stack.APP, "kind", "template", "templateId", "TPL_ORDER",
            "data", Map.of("keyword1", "y"), "audience", Map.of("openIds", openIds.subList(15, 30))));
        await().atMost(Duration.ofSeconds(60)).until(() -> "done".equals(stack.status(rid2).path("state").asText()));
        secrets.add(redis.get(tokenKey));
        worker.close();
        workerOutput = worker.output();
      }
    } finally {
      wxpush.setLevel(before);
      root.detachAppender(captured);
    }

    secrets.remove(null);
    assertThat(secrets).hasSizeGreaterThan(30 + 4);
    assertThat(workerOutput).contains("event=token_refreshed");
    StringBuilder everything = new StringBuilder(workerOutput);
    for (ILoggingEvent e : captured.list) {
      everything.append(e.getFormattedMessage()).append('\n');
      if (e.getThrowableProxy() != null) everything.append(ThrowableProxyUtil.asString(e.getThrowableProxy())).append('\n');
    }
    assertThat(captured.list).hasSizeGreaterThan(10);
    String logs = everything.toString();
    for (String secret : secrets) {
      assertThat(logs.contains(secret)).as("a secret (%s…) appears in the logs", secret.substring(0, Math.min(4, secret.length()))).isFalse();
    }
  }
}
