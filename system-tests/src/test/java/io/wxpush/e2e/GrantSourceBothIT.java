package io.wxpush.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.wxpush.testkit.ApiClient;
import io.wxpush.testkit.RealServices;
import io.wxpush.testkit.TestEnv;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code GRANT_SOURCE=both}: the client uploads the accept it saw and WeChat's popup event reports
 * the same accept; wxpush counts it once (a client grant and an event grant of one user and
 * template within a minute of each other are one accept), while accepts far apart count apart.
 */
@ExtendWith(RealServices.class)
class GrantSourceBothIT {
  private static final String TOKEN = "pushtoken2";
  private Stack stack;

  @BeforeEach
  void start(TestEnv env) {
    stack = Stack.start(env, Map.of("WECHAT_APPS", Stack.APP + ":" + Stack.APP_SECRET + ":" + TOKEN, "GRANT_SOURCE", Stack.APP + ":both"));
    stack.sim.configureMessagePush(Stack.APP, URI.create(stack.client.base() + "/v1/wechat/" + Stack.APP + "/events"), TOKEN, null,
        "plaintext", "json");
  }

  @AfterEach
  void stop() {
    stack.close();
  }

  private int grants(String openId) throws Exception {
    return stack.client.userCredentials(Stack.API_KEY, Stack.APP, openId).body().path("grants").path("TPL_SUB").asInt();
  }

  @Test
  void oneAcceptSeenByTheClientAndByWeChatCountsOnce() throws Exception {
    stack.worker("credentials", Map.of());
    String token = stack.login("o-both");
    long now = System.currentTimeMillis();
    // an accept the client saw ten minutes ago (WeChat's event of it long applied, or never raised)
    stack.client.uploadCredentials(token, List.of(ApiClient.grant("TPL_SUB", "client-old", now - 600_000))).expect(202);
    await().atMost(Duration.ofSeconds(30)).until(() -> grants("o-both") == 1);

    // a new accept: WeChat's event first, then the client's upload of the same accept
    stack.sim.answerPopup(Stack.APP, "o-both", Map.of("TPL_SUB", "accept"), 1);
    await().atMost(Duration.ofSeconds(30)).until(() -> grants("o-both") == 2);
    stack.client.uploadCredentials(token, List.of(ApiClient.grant("TPL_SUB", "client-new", System.currentTimeMillis()))).expect(202);
    stack.client.uploadCredentials(token, List.of(ApiClient.credential("form_id", stack.sim.mintFormIds(Stack.APP, "o-both", 1).get(0),
        System.currentTimeMillis()))).expect(202);
    // the form_id uploaded after it is stored: so the client's grant has been seen too, and it added nothing
    await().atMost(Duration.ofSeconds(30)).until(() -> stack.client.userCredentials(Stack.API_KEY, Stack.APP, "o-both").body()
        .path("formIds").asInt() == 1);
    assertThat(grants("o-both")).as("the event and the client's upload of one accept").isEqualTo(2);
  }
}
