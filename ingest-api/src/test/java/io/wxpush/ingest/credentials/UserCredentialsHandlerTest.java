package io.wxpush.ingest.credentials;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.wxpush.secret.Secret;
import io.wxpush.credentials.PoolSnapshot;
import io.wxpush.user.UserRef;
import io.wxpush.ingest.RouteServer;
import io.wxpush.ingest.auth.ApiKey;
import io.wxpush.ingest.auth.ClientAddress;
import io.wxpush.ingest.auth.PushApiKeys;
import io.wxpush.testkit.ApiClient;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code GET /v1/users/{openId}/credentials} over real HTTP, with the pools replaced by a function. */
class UserCredentialsHandlerTest {
  private static final String KEY = "push-api-key-for-tests-0123456789";
  private final List<UserRef> asked = new CopyOnWriteArrayList<>();
  private RouteServer server;
  private ApiClient api;

  @BeforeEach
  void start() {
    UserCredentialsHandler handler = new UserCredentialsHandler(new PushApiKeys(List.of(ApiKey.everyApp(Secret.of(KEY))), ClientAddress.direct(), Clock.systemUTC()), user -> {
      asked.add(user);
      return user.openId().equals("o-empty")
          ? new PoolSnapshot(user.appId(), user.openId(), 0, 0, 0, Optional.empty(), Map.of(), Set.of())
          : new PoolSnapshot(user.appId(), user.openId(), 2, 1, 5, Optional.of(1_790_000_000_000L), Map.of("TPL_SUB", 3), Set.of("TPL_LONG"));
    }, Set.of("wxapp1"));
    server = RouteServer.start(routes -> routes.get("/v1/users/{openId}/credentials", handler::show));
    api = server.client();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void theUsersPoolsAreAnsweredForTheAppAsked() throws Exception {
    JsonNode body = api.userCredentials(KEY, "wxapp1", "o-alice").expect(200).body();
    assertThat(asked).containsExactly(new UserRef("wxapp1", "o-alice"));
    assertThat(body.path("openId").asText()).isEqualTo("o-alice");
    assertThat(body.path("appId").asText()).isEqualTo("wxapp1");
    assertThat(body.path("formIds").asInt()).isEqualTo(2);
    assertThat(body.path("prepayIds").asInt()).isEqualTo(1);
    assertThat(body.path("sendsLeft").asInt()).isEqualTo(5);
    assertThat(body.path("soonestExpiry").asLong()).isEqualTo(1_790_000_000_000L);
    assertThat(body.path("grants").path("TPL_SUB").asInt()).isEqualTo(3);
    assertThat(body.path("longTerm").get(0).asText()).isEqualTo("TPL_LONG");
  }

  @Test
  void aUserWithNothingHasNoSoonestExpiry() throws Exception {
    JsonNode body = api.userCredentials(KEY, "wxapp1", "o-empty").expect(200).body();
    assertThat(body.path("sendsLeft").asInt()).isZero();
    assertThat(body.path("soonestExpiry").isMissingNode() || body.path("soonestExpiry").isNull()).isTrue();
    assertThat(body.path("grants")).isEmpty();
  }

  @Test
  void aBadQueryIsRefusedWithoutReadingAnyPool() throws Exception {
    assertThat(api.get("/v1/users/o-alice/credentials", KEY).errorCode()).isEqualTo("invalid_request");
    assertThat(api.get("/v1/users/o-alice/credentials?appId=", KEY).errorCode()).isEqualTo("invalid_request");
    assertThat(api.userCredentials(KEY, "wxnope", "o-alice").errorCode()).isEqualTo("unknown_app");
    assertThat(api.userCredentials(KEY, "wxapp1", "o alice").errorCode()).isEqualTo("invalid_request");
    assertThat(api.userCredentials(KEY, "wxapp1", "o".repeat(65)).errorCode()).isEqualTo("invalid_request");
    ApiClient.Reply noKey = api.userCredentials("wrong-key", "wxapp1", "o-alice");
    assertThat(noKey.status()).isEqualTo(401);
    assertThat(noKey.errorCode()).isEqualTo("unauthorized");
    assertThat(asked).isEmpty();
  }
}
