package io.wxpush.ingest.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.wxpush.secret.Secret;
import io.wxpush.ingest.RouteServer;
import io.wxpush.testkit.ApiClient;
import io.wxpush.testkit.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The push API key check and its throttle, through real requests to routes that require a key. */
class PushApiKeysTest {
  private static final String ONE = "key-one-0123456789abcdefgh";
  private static final String TWO = "key-two-0123456789abcdefgh";
  private static final String SCOPED = "key-scoped-0123456789abcdef";
  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-23T10:00:00Z"));
  private final List<RouteServer> servers = new ArrayList<>();

  private ApiClient serve(String trustedProxies) {
    PushApiKeys keys = new PushApiKeys(List.of(ApiKey.everyApp(Secret.of(ONE)), ApiKey.everyApp(Secret.of(TWO)),
        ApiKey.scoped(Secret.of(SCOPED), Set.of("wxa"))), ClientAddress.parse(trustedProxies), clock);
    RouteServer server = RouteServer.start(routes -> {
      routes.get("/probe", ctx -> {
        keys.require(ctx);
        ctx.json(Map.of("ok", true));
      });
      routes.get("/apps/{appId}", ctx -> {
        keys.requireFor(ctx, ctx.pathParam("appId"));
        ctx.json(Map.of("ok", true));
      });
      // which app's push a requestId names: "shared" is a push of wxa and wxb, "only-b" of wxb, "none" of neither
      routes.get("/pushes/{requestId}", ctx -> {
        String rid = ctx.pathParam("requestId");
        Map<String, List<String>> holders = Map.of("shared", List.of("wxa", "wxb"), "only-b", List.of("wxb"));
        Optional<String> app = PushApiKeys.appOfRequestId(ctx, keys.require(ctx), Set.of("wxa", "wxb"),
            apps -> holders.getOrDefault(rid, List.of()).stream().filter(apps::contains).toList());
        ctx.json(Map.of("app", app.orElse("")));
      });
    });
    servers.add(server);
    return server.client();
  }

  @AfterEach
  void stop() {
    servers.forEach(RouteServer::close);
  }

  private static Map<String, String> from(String key, String forwardedFor) {
    return Map.of("Authorization", "Bearer " + key, "X-Forwarded-For", forwardedFor);
  }

  @Test
  void everyConfiguredKeyIsAccepted() throws Exception {
    ApiClient client = serve("");
    assertThat(client.get("/probe", ONE).status()).isEqualTo(200);
    assertThat(client.get("/probe", TWO).status()).isEqualTo(200);
    assertThat(client.get("/probe", SCOPED).status()).isEqualTo(200);
  }

  @Test
  void aMissingOrWrongKeyIsUnauthorized() throws Exception {
    ApiClient client = serve("");
    for (String bearer : new String[] {null, ONE.substring(1), ONE + "-", ONE.toUpperCase(), ONE + "," + TWO, "wrong"}) {
      ApiClient.Reply reply = client.get("/probe", bearer);
      assertThat(reply.status()).as(String.valueOf(bearer)).isEqualTo(401);
      assertThat(reply.errorCode()).isEqualTo("unauthorized");
    }
    ApiClient.Reply basic = client.send("GET", "/probe", Map.of("Authorization", "Basic " + ONE), null);
    assertThat(basic.status()).as("the key under another scheme").isEqualTo(401);
  }

  @Test
  void aScopedKeyActsOnlyForItsAppsAndABareKeyForEvery() throws Exception {
    ApiClient client = serve("");
    assertThat(client.get("/apps/wxa", SCOPED).status()).isEqualTo(200);
    ApiClient.Reply other = client.get("/apps/wxb", SCOPED);
    assertThat(other.status()).isEqualTo(403);
    assertThat(other.errorCode()).isEqualTo("forbidden_app");
    assertThat(client.get("/apps/wxb", ONE).status()).isEqualTo(200);
  }

  @Test
  void afterTwentyBadKeysInAMinuteTheAddressIsThrottledButAGoodKeyStillPasses() throws Exception {
    ApiClient client = serve("");
    for (int i = 0; i < PushApiKeys.MAX_FAILURES_PER_MINUTE; i++) {
      assertThat(client.get("/probe", "wrong-" + i).status()).as("bad key %d", i).isEqualTo(401);
    }
    ApiClient.Reply throttled = client.get("/probe", "wrong-again");
    assertThat(throttled.status()).isEqualTo(429);
    assertThat(throttled.errorCode()).isEqualTo("too_many_bad_keys");
    assertThat(throttled.header("Retry-After")).contains("60");
    assertThat(client.get("/probe", ONE).status()).as("a good key from the same address").isEqualTo(200);

    clock.advance(Duration.ofMinutes(1));
    assertThat(client.get("/probe", "wrong").status()).as("a new minute").isEqualTo(401);
  }

  @Test
  void goodKeysDoNotCountTowardsTheThrottle() throws Exception {
    ApiClient client = serve("");
    for (int i = 0; i < PushApiKeys.MAX_FAILURES_PER_MINUTE - 1; i++) client.get("/probe", "wrong-" + i).expect(401);
    for (int i = 0; i < 50; i++) client.get("/probe", TWO).expect(200);
    assertThat(client.get("/probe", "wrong").status()).as("the 20th bad key").isEqualTo(401);
    assertThat(client.get("/probe", "wrong").status()).as("now throttled").isEqualTo(429);
  }

  @Test
  void behindATrustedProxyTheForwardedAddressIsThrottledNotTheProxy() throws Exception {
    ApiClient client = serve("127.0.0.0/8, ::1");
    for (int i = 0; i < 30; i++) client.send("GET", "/probe", from("wrong-" + i, "203.0.113.9"), null);
    assertThat(client.send("GET", "/probe", from("wrong", "203.0.113.9"), null).status()).isEqualTo(429);
    assertThat(client.send("GET", "/probe", from("wrong", "198.51.100.4"), null).status()).as("another client behind the proxy").isEqualTo(401);
    assertThat(client.send("GET", "/probe", from(ONE, "203.0.113.9"), null).status()).as("a good key from the throttled one").isEqualTo(200);
    // what the client itself wrote to the left of the proxy's entry does not move it to a fresh address
    assertThat(client.send("GET", "/probe", from("wrong", "10.9.9.9, 203.0.113.9"), null).status()).isEqualTo(429);
  }

  @Test
  void withoutTrustedProxiesAForwardedHeaderIsIgnored() throws Exception {
    ApiClient client = serve("");
    for (int i = 0; i < PushApiKeys.MAX_FAILURES_PER_MINUTE; i++) client.send("GET", "/probe", from("wrong", "203.0.113." + i), null);
    assertThat(client.send("GET", "/probe", from("wrong", "198.51.100.77"), null).status()).as("the peer is the client").isEqualTo(429);
  }

  @Test
  void aRequestIdIsLookedUpOnlyInTheAppsTheKeyActsForAndAKeyOfSeveralNamesTheAppWhenTwoUseIt() throws Exception {
    ApiClient client = serve("");
    // a key of one app: that app, without a look-up (its push or none: another app's is never found)
    assertThat(client.get("/pushes/only-b", SCOPED).body().get("app").asText()).isEqualTo("wxa");
    assertThat(client.get("/pushes/shared", SCOPED).body().get("app").asText()).isEqualTo("wxa");
    ApiClient.Reply foreign = client.get("/pushes/only-b?appId=wxb", SCOPED);
    assertThat(foreign.status()).isEqualTo(403);
    assertThat(foreign.errorCode()).isEqualTo("forbidden_app");
    // a key of every app: the one app holding the id, none, or 400 app_required when several do
    assertThat(client.get("/pushes/only-b", ONE).body().get("app").asText()).isEqualTo("wxb");
    assertThat(client.get("/pushes/none", ONE).body().get("app").asText()).isEmpty();
    ApiClient.Reply ambiguous = client.get("/pushes/shared", ONE);
    assertThat(ambiguous.status()).isEqualTo(400);
    assertThat(ambiguous.errorCode()).isEqualTo("app_required");
    assertThat(client.get("/pushes/shared?appId=wxb", ONE).body().get("app").asText()).isEqualTo("wxb");
  }
}
