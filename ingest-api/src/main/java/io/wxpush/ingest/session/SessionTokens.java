package io.wxpush.ingest.session;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.wxpush.secret.Secret;
import io.wxpush.user.UserRef;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Mints and checks session tokens: HS256 JWTs signed with {@code SESSION_SIGNING_KEY}, with
 * {@code sub} = openId, {@code aud} = appId, {@code iss} = {@code wxpush} and an expiry. A
 * business backend with its own login may mint the same token with the same key. Only HS256 is
 * accepted (never {@code alg: none}), and only for apps this deployment serves. Thread-safe.
 *
 * <p>A token that passed every check is remembered by its exact text (up to
 * {@link #VERIFIED_CACHE_SIZE} of them), so that a client's next request with the same token skips
 * the parse and the HMAC, which cost more than the rest of an upload's validation. Only a
 * byte-identical token can hit; its expiry is still checked on every use, and an expired one is
 * forgotten. The signing key and the served apps never change while the process runs, so a
 * remembered verdict cannot go stale otherwise.
 */
public final class SessionTokens {
  public static final String ISSUER = "wxpush";
  /** Most verified tokens remembered; past it the memory is cleared and fills again. */
  static final int VERIFIED_CACHE_SIZE = 65_536;

  private final MACSigner signer;
  private final JWSVerifier verifier;
  private final Set<String> apps;
  private final Duration ttl;
  private final Clock clock;
  private final ConcurrentHashMap<String, Verified> verified = new ConcurrentHashMap<>();

  private record Verified(UserRef user, long expiresAtMs) {}

  public SessionTokens(Secret signingKey, Set<String> apps, Duration ttl, Clock clock) {
    try {
      this.signer = new MACSigner(signingKey.bytes());
      this.verifier = new MACVerifier(signingKey.bytes());
    } catch (JOSEException e) {
      throw new IllegalArgumentException("SESSION_SIGNING_KEY must be at least 32 bytes", e);
    }
    this.apps = Set.copyOf(apps);
    this.ttl = ttl;
    this.clock = clock;
  }

  public Duration ttl() {
    return ttl;
  }

  public String mint(UserRef user) {
    long now = clock.millis();
    JWTClaimsSet claims = new JWTClaimsSet.Builder()
        .issuer(ISSUER)
        .subject(user.openId())
        .audience(user.appId())
        .issueTime(new Date(now))
        .expirationTime(new Date(now + ttl.toMillis()))
        .build();
    SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
    try {
      jwt.sign(signer);
    } catch (JOSEException e) {
      throw new IllegalStateException("cannot sign a session token", e);
    }
    return jwt.serialize();
  }

  /** The user a token speaks for, or empty when it is malformed, forged, expired or for an unknown app. */
  public Optional<UserRef> verify(String token) {
    if (token == null || token.length() > 4096) return Optional.empty();
    Verified known = verified.get(token);
    if (known != null) {
      if (known.expiresAtMs() > clock.millis()) return Optional.of(known.user());
      verified.remove(token);
      return Optional.empty();
    }
    try {
      SignedJWT jwt = SignedJWT.parse(token);
      if (!JWSAlgorithm.HS256.equals(jwt.getHeader().getAlgorithm())) return Optional.empty();
      if (!jwt.verify(verifier)) return Optional.empty();
      JWTClaimsSet claims = jwt.getJWTClaimsSet();
      if (!ISSUER.equals(claims.getIssuer())) return Optional.empty();
      Date exp = claims.getExpirationTime();
      if (exp == null || exp.getTime() <= clock.millis()) return Optional.empty();
      List<String> aud = claims.getAudience();
      if (aud == null || aud.size() != 1 || !apps.contains(aud.getFirst())) return Optional.empty();
      String openId = claims.getSubject();
      if (!UserRef.isValidId(openId)) return Optional.empty();
      UserRef user = new UserRef(aud.getFirst(), openId);
      if (verified.size() >= VERIFIED_CACHE_SIZE) verified.clear();
      verified.put(token, new Verified(user, exp.getTime()));
      return Optional.of(user);
    } catch (ParseException | JOSEException | IllegalArgumentException e) {
      return Optional.empty();
    }
  }
}
