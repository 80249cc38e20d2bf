package io.wxpush.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.standardwebhooks.Webhook;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/**
 * CallbackVerifier against callbacks signed by the Standard Webhooks reference library (so the
 * verifier shares no code with what it checks) plus wxpush's own header.
 */
class CallbackVerifierTest {
  private static final String KEY = "push-api-key-for-tests-0123456789";
  private static final Instant NOW = Instant.parse("2026-12-05T12:00:00Z");
  private static final byte[] BODY = "{\"requestId\":\"r-1\",\"state\":\"done\",\"sent\":3}".getBytes(StandardCharsets.UTF_8);

  private static CallbackVerifier verifier(String key) {
    return CallbackVerifier.of(key).withClock(Clock.fixed(NOW, ZoneOffset.UTC));
  }

  /** The headers of a callback of {@code body} signed with {@code key} at {@code at}, as wxpush sends them. */
  private static Map<String, List<String>> signed(String key, byte[] body, Instant at) throws Exception {
    String id = "msg_0123456789abcdef";
    String standard = new Webhook(key.getBytes(StandardCharsets.UTF_8)).sign(id, at.getEpochSecond(), new String(body, StandardCharsets.UTF_8));
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    Map<String, List<String>> h = new HashMap<>();
    h.put("Webhook-Id", List.of(id));
    h.put("Webhook-Timestamp", List.of(Long.toString(at.getEpochSecond())));
    h.put("Webhook-Signature", List.of(standard));
    h.put("x-wxpush-signature", List.of("sha256=" + HexFormat.of().formatHex(mac.doFinal(body))));
    return h;
  }

  private static CallbackVerifier.Problem problem(CallbackVerifier v, byte[] body, Map<String, List<String>> headers) {
    try {
      v.verify(body, headers);
      return null;
    } catch (CallbackVerifier.InvalidCallbackException e) {
      return e.problem();
    }
  }

  @Test
  void aCallbackSignedWithTheKeyAndFreshPasses() throws Exception {
    assertThat(problem(verifier(KEY), BODY, signed(KEY, BODY, NOW.minusSeconds(30)))).isNull();
    assertThat(verifier(KEY).isValid(BODY, name -> signed0(name))).isTrue();
  }

  private static String signed0(String name) {
    try {
      for (var e : signed(KEY, BODY, NOW).entrySet()) if (e.getKey().equalsIgnoreCase(name)) return e.getValue().get(0);
      return null;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void aTamperedBodyFailsTheStandardSignature() throws Exception {
    byte[] tampered = "{\"requestId\":\"r-1\",\"state\":\"done\",\"sent\":4}".getBytes(StandardCharsets.UTF_8);
    assertThat(problem(verifier(KEY), tampered, signed(KEY, BODY, NOW))).isEqualTo(CallbackVerifier.Problem.BAD_WEBHOOK_SIGNATURE);
  }

  @Test
  void aTamperedWxpushSignatureAloneFails() throws Exception {
    Map<String, List<String>> h = signed(KEY, BODY, NOW);
    h.put("x-wxpush-signature", List.of("sha256=" + "0".repeat(64)));
    assertThat(problem(verifier(KEY), BODY, h)).isEqualTo(CallbackVerifier.Problem.BAD_WXPUSH_SIGNATURE);
  }

  @Test
  void aCallbackSignedWithAnotherKeyFails() throws Exception {
    assertThat(problem(verifier("another-push-api-key-0123456789"), BODY, signed(KEY, BODY, NOW)))
        .isEqualTo(CallbackVerifier.Problem.BAD_WEBHOOK_SIGNATURE);
  }

  @Test
  void aTimestampOutsideTheToleranceFailsEvenWhenRightlySigned() throws Exception {
    assertThat(problem(verifier(KEY), BODY, signed(KEY, BODY, NOW.minus(Duration.ofMinutes(6))))).isEqualTo(CallbackVerifier.Problem.STALE_TIMESTAMP);
    assertThat(problem(verifier(KEY), BODY, signed(KEY, BODY, NOW.plus(Duration.ofMinutes(6))))).isEqualTo(CallbackVerifier.Problem.STALE_TIMESTAMP);
    assertThat(problem(verifier(KEY).withTolerance(Duration.ofMinutes(10)), BODY, signed(KEY, BODY, NOW.minus(Duration.ofMinutes(6))))).isNull();
  }

  @Test
  void aMissingHeaderFails() throws Exception {
    for (String name : List.of("Webhook-Id", "Webhook-Timestamp", "Webhook-Signature", "x-wxpush-signature")) {
      Map<String, List<String>> h = signed(KEY, BODY, NOW);
      h.remove(name);
      assertThat(problem(verifier(KEY), BODY, h)).as(name).isEqualTo(CallbackVerifier.Problem.MISSING_HEADER);
    }
  }

  @Test
  void oneMatchingSignatureAmongSeveralPasses() throws Exception {
    Map<String, List<String>> h = signed(KEY, BODY, NOW);
    h.put("Webhook-Signature", List.of("v1,AAAA v2,whatever " + h.get("Webhook-Signature").get(0)));
    assertThat(problem(verifier(KEY), BODY, h)).isNull();
  }

  @Test
  void theVerifierAgreesWithTheReferenceLibraryOnWhatItAccepts() throws Exception {
    // the reference library reads the system clock: sign for now
    Instant now = Instant.now();
    Map<String, List<String>> h = signed(KEY, BODY, now);
    new Webhook(KEY.getBytes(StandardCharsets.UTF_8)).verify(new String(BODY, StandardCharsets.UTF_8), h);
    CallbackVerifier.of(KEY).verify(BODY, h);
    assertThatThrownBy(() -> CallbackVerifier.of(KEY).verify(BODY, signed(KEY, BODY, now.minus(Duration.ofHours(1)))))
        .isInstanceOf(CallbackVerifier.InvalidCallbackException.class);
  }
}
