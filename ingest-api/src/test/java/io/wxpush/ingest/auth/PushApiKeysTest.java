package io.wxpush.ingest.auth;

import io.wxpush.testkit.MutableClock;
import static org.assertj.core.api.Assertions.assertThat;

import io.wxpush.config.Secret;
import io.wxpush.ingest.RouteServer;
import io.wxpush.testkit.ApiClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The push API key check, through a real request to a route that requires a key. */
class PushApiKeysTest {
  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-23T10:00:00Z"));
  private RouteServer server;
  private ApiClient client;

  @BeforeEach
  void start() {
    PushApiKeys keys = new PushApiKeys(List.of(Secret.of("key-one"), Secret.of("key-two")), clock);
    server = RouteServer.start(routes -> routes.get("/probe", ctx -> {
      keys.require(ctx);
      ctx.json(Map.of("ok", true));
    }));
    client = server.client();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void everyConfiguredKeyIsAccepted() throws Exception {
    assertThat(client.get("/probe", "key-one").status()).isEqualTo(200);
    assertThat(client.get("/probe", "key-two").status()).isEqualTo(200);
  }

  @Test
  void aMissingOrWrongKeyIsUnauthorized() throws Exception {
    for (String bearer : new String[] {null, "key-on", "key-one-", "KEY-ONE", "key-one,key-two", "wrong"}) {
      ApiClient.Reply reply = client.get("/probe", bearer);
      assertThat(reply.status()).as(String.valueOf(bearer)).isEqualTo(401);
      assertThat(reply.errorCode()).isEqualTo("unauthorized");
    }
    ApiClient.Reply basic = client.send("GET", "/probe", Map.of("Authorization", "Basic key-one"), null);
    assertThat(basic.status()).as("the key under another scheme").isEqualTo(401);
  }

  @Test
  void afterTwentyBadKeysInAMinuteTheAddressIsThrottledEvenWithAGoodKeyUntilTheNextMinute() throws Exception {
    for (int i = 0; i < PushApiKeys.MAX_FAILURES_PER_MINUTE; i++) {
      assertThat(client.get("/probe", "wrong-" + i).status()).as("bad key %d", i).isEqualTo(401);
    }
    ApiClient.Reply throttled = client.get("/probe", "key-one");
    assertThat(throttled.status()).isEqualTo(429);
    assertThat(throttled.errorCode()).isEqualTo("too_many_bad_keys");
    assertThat(throttled.header("Retry-After")).contains("60");

    clock.advance(Duration.ofMinutes(1));
    assertThat(client.get("/probe", "key-one").status()).isEqualTo(200);
    assertThat(client.get("/probe", "wrong").status()).isEqualTo(401);
  }

  @Test
  void goodKeysDoNotCountTowardsTheThrottle() throws Exception {
    for (int i = 0; i < PushApiKeys.MAX_FAILURES_PER_MINUTE - 1; i++) client.get("/probe", "wrong-" + i).expect(401);
    for (int i = 0; i < 5; i++) client.get("/probe", "key-two").expect(200);
    assertThat(client.get("/probe", "wrong").status()).as("the 20th bad key").isEqualTo(401);
    assertThat(client.get("/probe", "key-two").status()).as("now throttled").isEqualTo(429);
  }
}
