package io.wxpush.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.wxpush.testkit.ApiClient;
import io.wxpush.testkit.PrivateService;
import io.wxpush.testkit.RealServices;
import io.wxpush.testkit.TestEnv;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** With Redis away, the API's store-backed routes answer 503 `unavailable` (the stores' own error), not a 500. */
@ExtendWith(RealServices.class)
class ApiStorageOutageIT {
  @Test
  void theApiAnswers503WhileRedisIsAwayAnd404AfterItIsBack(TestEnv env) throws Exception {
    try (PrivateService redis = PrivateService.redis(); Stack stack = Stack.start(env, Map.of("REDIS_URL", redis.address()))) {
      assertThat(stack.client.pushStatus(Stack.API_KEY, "nothing-here").status()).isEqualTo(404);
      redis.stop();
      ApiClient.Reply away = stack.client.pushStatus(Stack.API_KEY, "nothing-here");
      assertThat(away.status()).isEqualTo(503);
      assertThat(away.errorCode()).isEqualTo("unavailable");
      ApiClient.Reply pools = stack.client.userCredentials(Stack.API_KEY, Stack.APP, "o1");
      assertThat(pools.status()).isEqualTo(503);
      redis.restart();
      await().atMost(Duration.ofSeconds(30)).until(() -> stack.client.pushStatus(Stack.API_KEY, "nothing-here").status() == 404);
    }
  }
}
