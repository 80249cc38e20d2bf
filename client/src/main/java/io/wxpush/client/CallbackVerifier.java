package io.wxpush.client;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Checks, for a receiving service, that a {@code callbackUrl} POST came from wxpush and is fresh:
 * both signatures wxpush sends (BRIEF §3, v3) must match, keyed with the push API key that
 * created the push — {@code X-Wxpush-Signature: sha256=<hex HMAC-SHA256 of the body>} and the
 * Standard Webhooks {@code webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">} —
 * and {@code webhook-timestamp} must be within the tolerance of now (5 minutes by default), so a
 * recorded callback cannot be replayed later. Signatures are compared in constant time.
 * A receiver should also treat a repeated {@code webhook-id} as one callback (delivery is at
 * least once). Immutable, thread-safe; uses only the JDK.
 *
 * <pre>{@code
 * CallbackVerifier verifier = CallbackVerifier.of(System.getenv("WXPUSH_API_KEY"));
 * verifier.verify(bodyBytes, request::getHeader); // throws InvalidCallbackException
 * }</pre>
 */
public final class CallbackVerifier {
  /** How far {@code webhook-timestamp} may be from now by default: 5 minutes (the Standard Webhooks default). */
  public static final Duration DEFAULT_TOLERANCE = Duration.ofMinutes(5);

  private final byte[] key;
  private final Duration tolerance;
  private final Clock clock;

  private CallbackVerifier(byte[] key, Duration tolerance, Clock clock) {
    if (key.length == 0) throw new IllegalArgumentException("the key is empty");
    if (tolerance.isNegative() || tolerance.isZero()) throw new IllegalArgumentException("tolerance must be positive");
    this.key = key.clone();
    this.tolerance = tolerance;
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** A verifier for callbacks of pushes created with {@code apiKey}, with the default tolerance and the system clock. */
  public static CallbackVerifier of(String apiKey) {
    return new CallbackVerifier(Objects.requireNonNull(apiKey, "apiKey").getBytes(StandardCharsets.UTF_8), DEFAULT_TOLERANCE, Clock.systemUTC());
  }

  /** This verifier with another tolerance for {@code webhook-timestamp}. */
  public CallbackVerifier withTolerance(Duration tolerance) {
    return new CallbackVerifier(key, Objects.requireNonNull(tolerance, "tolerance"), clock);
  }

  /** This verifier reading "now" from {@code clock} (tests). */
  public CallbackVerifier withClock(Clock clock) {
    return new CallbackVerifier(key, tolerance, clock);
  }

  /** Why a callback was refused. */
  public enum Problem {
    /** A header wxpush always sends is missing. */
    MISSING_HEADER,
    /** {@code webhook-timestamp} is not a number of seconds, or is further from now than the tolerance. */
    STALE_TIMESTAMP,
    /** {@code webhook-signature} holds no {@code v1} signature of this body, id and timestamp with this key. */
    BAD_WEBHOOK_SIGNATURE,
    /** {@code X-Wxpush-Signature} is not the signature of this body with this key. */
    BAD_WXPUSH_SIGNATURE
  }

  /** A callback that did not pass: answer it 401 (or 400) and do not act on it. */
  public static final class InvalidCallbackException extends Exception {
    private static final long serialVersionUID = 1L;
    private final Problem problem;

    InvalidCallbackException(Problem problem, String message) {
      super(message);
      this.problem = problem;
    }

    public Problem problem() {
      return problem;
    }
  }

  /**
   * Verifies a callback: {@code body} exactly as received (the raw bytes, before any JSON parsing),
   * {@code header} a look-up by header name (case-insensitive names are the caller's to handle, e.g.
   * a servlet's {@code request::getHeader}). Returns normally when it is from wxpush and fresh.
   */
  public void verify(byte[] body, Function<String, String> header) throws InvalidCallbackException {
    String id = required(header, "webhook-id");
    String timestamp = required(header, "webhook-timestamp");
    String signatures = required(header, "webhook-signature");
    String wxpush = required(header, "X-Wxpush-Signature");
    long seconds;
    try {
      seconds = Long.parseLong(timestamp.trim());
    } catch (NumberFormatException e) {
      throw new InvalidCallbackException(Problem.STALE_TIMESTAMP, "webhook-timestamp is not a number of seconds");
    }
    long nowSeconds = clock.millis() / 1000;
    if (Math.abs(nowSeconds - seconds) > tolerance.toSeconds()) {
      throw new InvalidCallbackException(Problem.STALE_TIMESTAMP, "webhook-timestamp is more than " + tolerance + " from now");
    }
    byte[] expected = Base64.getEncoder().encode(hmac(concat((id + "." + seconds + ".").getBytes(StandardCharsets.UTF_8), body)));
    boolean matched = false;
    for (String versioned : signatures.trim().split(" ")) {
      int comma = versioned.indexOf(',');
      if (comma < 0 || !versioned.substring(0, comma).equals("v1")) continue;
      matched |= MessageDigest.isEqual(expected, versioned.substring(comma + 1).getBytes(StandardCharsets.US_ASCII));
    }
    if (!matched) throw new InvalidCallbackException(Problem.BAD_WEBHOOK_SIGNATURE, "no webhook-signature matches this body and key");
    byte[] expectedWxpush = ("sha256=" + HexFormat.of().formatHex(hmac(body))).getBytes(StandardCharsets.US_ASCII);
    if (!MessageDigest.isEqual(expectedWxpush, wxpush.trim().toLowerCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII))) {
      throw new InvalidCallbackException(Problem.BAD_WXPUSH_SIGNATURE, "X-Wxpush-Signature does not match this body and key");
    }
  }

  /** {@link #verify(byte[], Function)} with the headers as a map (names in any case, e.g. {@code java.net.http}'s or Spring's). */
  public void verify(byte[] body, Map<String, List<String>> headers) throws InvalidCallbackException {
    verify(body, name -> {
      for (Map.Entry<String, List<String>> e : headers.entrySet()) {
        if (e.getKey() != null && e.getKey().equalsIgnoreCase(name) && e.getValue() != null && !e.getValue().isEmpty()) return e.getValue().get(0);
      }
      return null;
    });
  }

  /** True when {@link #verify(byte[], Function)} passes. */
  public boolean isValid(byte[] body, Function<String, String> header) {
    try {
      verify(body, header);
      return true;
    } catch (InvalidCallbackException e) {
      return false;
    }
  }

  private static String required(Function<String, String> header, String name) throws InvalidCallbackException {
    String value = header.apply(name);
    if (value == null || value.isBlank()) throw new InvalidCallbackException(Problem.MISSING_HEADER, "the header " + name + " is missing");
    return value;
  }

  private byte[] hmac(byte[] data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(data);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
    }
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = new byte[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
