package io.wxpush.ingest.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.wxpush.secret.Secret;
import io.wxpush.user.UserRef;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SessionTokensTest {
  private static final Secret KEY = Secret.of("a-signing-key-of-at-least-32-bytes!!");
  private final Clock clock = Clock.fixed(Instant.parse("2026-11-23T10:00:00Z"), ZoneOffset.UTC);
  private final SessionTokens tokens = new SessionTokens(KEY, Set.of("wxapp1", "wxapp2"), Duration.ofHours(1), clock);
  private final UserRef alice = new UserRef("wxapp1", "o-alice");

  private static String b64(String json) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
  }

  private static String payloadOf(String token) {
    return new String(Base64.getUrlDecoder().decode(token.split("\\.")[1]), StandardCharsets.UTF_8);
  }

  @Test
  void aMintedTokenSpeaksForItsUser() {
    assertThat(tokens.verify(tokens.mint(alice))).contains(alice);
  }

  @Test
  void aTokenSignedWithAnotherKeyIsRefused() {
    String forged = new SessionTokens(Secret.of("another-key-of-at-least-32-bytes!!!!"), Set.of("wxapp1"), Duration.ofHours(1), clock).mint(alice);
    assertThat(tokens.verify(forged)).isEmpty();
  }

  @Test
  void algNoneIsRefused() {
    String payload = payloadOf(tokens.mint(alice));
    assertThat(tokens.verify(b64("{\"alg\":\"none\"}") + "." + b64(payload) + ".")).isEmpty();
    assertThat(tokens.verify(b64("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." + b64(payload))).isEmpty();
  }

  @Test
  void anExpiredTokenIsRefused() {
    String token = tokens.mint(alice);
    SessionTokens later = new SessionTokens(KEY, Set.of("wxapp1"), Duration.ofHours(1), Clock.offset(clock, Duration.ofHours(2)));
    assertThat(later.verify(token)).isEmpty();
  }

  @Test
  void aRememberedTokenIsStillRefusedOnceExpired() {
    Instant[] now = {Instant.parse("2026-11-23T10:00:00Z")};
    Clock moving = new Clock() {
      @Override public ZoneId getZone() { return ZoneOffset.UTC; }
      @Override public Clock withZone(ZoneId zone) { return this; }
      @Override public Instant instant() { return now[0]; }
    };
    SessionTokens tokens = new SessionTokens(KEY, Set.of("wxapp1"), Duration.ofHours(1), moving);
    String token = tokens.mint(alice);
    assertThat(tokens.verify(token)).contains(alice);
    assertThat(tokens.verify(token)).contains(alice); // remembered
    now[0] = now[0].plus(Duration.ofMinutes(61));
    assertThat(tokens.verify(token)).isEmpty();
    assertThat(tokens.verify(token)).isEmpty();
  }

  @Test
  void aRememberedTokenDoesNotVouchForATamperedCopy() {
    String token = tokens.mint(alice);
    assertThat(tokens.verify(token)).contains(alice);
    String[] parts = token.split("\\.");
    String otherUser = b64(payloadOf(token).replace("o-alice", "o-mallory"));
    assertThat(tokens.verify(parts[0] + "." + otherUser + "." + parts[2])).isEmpty();
  }

  @Test
  void aTokenForAnAppNotServedHereIsRefused() {
    SessionTokens otherDeployment = new SessionTokens(KEY, Set.of("wxother"), Duration.ofHours(1), clock);
    assertThat(tokens.verify(otherDeployment.mint(new UserRef("wxother", "o-alice")))).isEmpty();
  }

  @Test
  void aTamperedOpenIdOrAudienceBreaksTheSignature() {
    String[] parts = tokens.mint(alice).split("\\.");
    String payload = payloadOf(tokens.mint(alice));
    String otherUser = b64(payload.replace("o-alice", "o-mallory"));
    String otherApp = b64(payload.replace("wxapp1", "wxapp2"));
    assertThat(tokens.verify(parts[0] + "." + otherUser + "." + parts[2])).isEmpty();
    assertThat(tokens.verify(parts[0] + "." + otherApp + "." + parts[2])).isEmpty();
  }

  @Test
  void garbageIsRefusedWithoutThrowing() {
    assertThat(tokens.verify("")).isEmpty();
    assertThat(tokens.verify("a.b.c")).isEmpty();
    assertThat(tokens.verify("x".repeat(10_000))).isEmpty();
    assertThat(tokens.verify(null)).isEmpty();
  }
}
