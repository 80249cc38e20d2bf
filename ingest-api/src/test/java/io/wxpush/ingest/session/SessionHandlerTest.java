package io.wxpush.ingest.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.wxpush.secret.Secret;
import io.wxpush.wechat.WeChatApp;
import io.wxpush.user.UserRef;
import io.wxpush.ingest.RouteServer;
import io.wxpush.ingest.auth.AddressThrottle;
import io.wxpush.ingest.auth.ClientAddress;
import io.wxpush.sim.SimConfig;
import io.wxpush.sim.WeChatSim;
import io.wxpush.testkit.ApiClient;
import io.wxpush.wechat.WeChatClient;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code POST /v1/sessions} over real HTTP, exchanging codes with the WeChat stand-in in this JVM. */
class SessionHandlerTest {
  private static final String APP = "wxapp1";
  private static final String SECRET = "app-secret-for-tests-1";
  private final SessionTokens tokens = new SessionTokens(Secret.of("signing-key-for-tests-0123456789abcdef"), Set.of(APP),
      Duration.ofHours(2), Clock.systemUTC());
  private final List<AutoCloseable> closing = new ArrayList<>();
  private WeChatSim sim;
  private ApiClient api;

  @BeforeEach
  void start() {
    sim = WeChatSim.start(SimConfig.builder().port(0).app(APP, SECRET).build());
    closing.add(sim);
    api = serve(URI.create(sim.baseUrl()), SECRET);
  }

  /** The handler on a server of its own, asking WeChat at {@code weChatBase} with {@code secret} as the app's. */
  private ApiClient serve(URI weChatBase, String secret) {
    WeChatClient weChat = new WeChatClient(weChatBase, Duration.ofSeconds(2), 4, Clock.systemUTC());
    SessionHandler handler = new SessionHandler(Map.of(APP, new WeChatApp(APP, Secret.of(secret))), weChat, tokens,
        ClientAddress.direct(), new AddressThrottle(1_000, Clock.systemUTC()));
    RouteServer server = RouteServer.start(routes -> routes.post("/v1/sessions", handler::create));
    closing.add(server);
    closing.add(weChat::close);
    return server.client();
  }

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable c : closing.reversed()) c.close();
  }

  @Test
  void aLoginCodeBecomesATokenThatSpeaksForItsUser() throws Exception {
    ApiClient.Reply reply = api.createSession(APP, sim.mintLoginCode(APP, "o-alice"));

    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.body().path("openId").asText()).isEqualTo("o-alice");
    assertThat(reply.body().path("expiresIn").asLong()).isEqualTo(7_200);
    assertThat(tokens.verify(reply.body().path("token").asText())).contains(new UserRef(APP, "o-alice"));
  }

  @Test
  void aCodeWeChatDoesNotKnowOrAlreadyExchangedIsAnInvalidCode() throws Exception {
    String code = sim.mintLoginCode(APP, "o-alice");
    api.createSession(APP, code).expect(200);
    ApiClient.Reply again = api.createSession(APP, code);
    assertThat(again.status()).isEqualTo(400);
    assertThat(again.errorCode()).isEqualTo("invalid_code");
    assertThat(api.createSession(APP, "not-a-code").errorCode()).isEqualTo("invalid_code");
  }

  @Test
  void anAppNotServedHereIsRefusedBeforeAskingWeChat() throws Exception {
    ApiClient.Reply reply = api.createSession("wxnope", sim.mintLoginCode(APP, "o-alice"));
    assertThat(reply.status()).isEqualTo(400);
    assertThat(reply.errorCode()).isEqualTo("unknown_app");
  }

  @Test
  void aBodyWithoutAppIdAndCodeAsStringsIsAnInvalidRequest() throws Exception {
    for (Object body : List.of("{}", Map.of("appId", APP), Map.of("code", "c"), Map.of("appId", 1, "code", "c"),
        Map.of("appId", APP, "code", ""), Map.of("appId", APP, "code", List.of("c")), Map.of("appId", APP, "code", "c".repeat(257)),
        Map.of("appId", "w".repeat(65), "code", "c"), "[]")) {
      ApiClient.Reply reply = api.post("/v1/sessions", null, body);
      assertThat(reply.status()).as("%s", body).isEqualTo(400);
      assertThat(reply.errorCode()).as("%s", body).isEqualTo("invalid_request");
    }
    assertThat(api.post("/v1/sessions", null, "{\"appId\":").errorCode()).isEqualTo("malformed_json");
  }

  @Test
  void anAppWhoseSecretWeChatRefusesIsMisconfigured() throws Exception {
    ApiClient misconfigured = serve(URI.create(sim.baseUrl()), "not-the-apps-secret");
    ApiClient.Reply reply = misconfigured.createSession(APP, sim.mintLoginCode(APP, "o-alice"));
    assertThat(reply.status()).isEqualTo(502);
    assertThat(reply.errorCode()).isEqualTo("app_misconfigured");
  }

  @Test
  void anOpenIdWxpushCannotUseIsAWeChatError() throws Exception {
    ApiClient.Reply reply = api.createSession(APP, sim.mintLoginCode(APP, "o".repeat(65)));
    assertThat(reply.status()).isEqualTo(502);
    assertThat(reply.errorCode()).isEqualTo("wechat_error");
  }

  @Test
  void whenWeChatDoesNotAnswerTheLoginIsUnavailableForAFewSeconds() throws Exception {
    int closed;
    try (ServerSocket s = new ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    ApiClient unreachable = serve(URI.create("http://127.0.0.1:" + closed), SECRET);
    ApiClient.Reply reply = unreachable.createSession(APP, "any-code");
    assertThat(reply.status()).isEqualTo(503);
    assertThat(reply.errorCode()).isEqualTo("wechat_unavailable");
    assertThat(reply.header("Retry-After")).contains("3");
  }
}
