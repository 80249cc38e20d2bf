package io.wxpush.ingest.auth;

import io.javalin.http.Context;
import io.wxpush.secret.Secret;
import io.wxpush.http.ApiException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Checks the push API key business services present ({@code Authorization: Bearer <key>}) and
 * what it may act for. The key is checked first, in constant time against every configured key:
 * a valid key always passes. Only failures count towards the throttle, per client address
 * ({@link ClientAddress}: behind a trusted proxy, the forwarded one): an address past
 * {@link #MAX_FAILURES_PER_MINUTE} bad keys in a minute is answered 429 for the rest of it. Keys are
 * at least {@link ApiKey#MIN_LENGTH} characters, so the throttle is there to answer noise cheaply
 * and to show it, not to make guessing hard. Then what the key may do: first its scope (an app
 * outside it is {@code 403 forbidden_app}, or {@code 404} where that is the route's answer for
 * an app it does not know, so a key learns nothing of another team's app), then its {@link Role}
 * ({@code 403 forbidden_role}). Thread-safe.
 */
public final class PushApiKeys {
  /** Bad keys one client address may present per minute before it is throttled. */
  public static final int MAX_FAILURES_PER_MINUTE = 20;

  private final List<ApiKey> keys;
  private final ClientAddress addresses;
  private final AddressThrottle failures;

  public PushApiKeys(List<ApiKey> keys, ClientAddress addresses, Clock clock) {
    this.keys = List.copyOf(keys);
    this.addresses = addresses;
    this.failures = new AddressThrottle(MAX_FAILURES_PER_MINUTE, clock);
  }

  /** Throws 401 (or 429 when this address keeps failing) unless the request carries a valid key; returns the key. */
  public ApiKey require(Context ctx) {
    String presented = Bearer.token(ctx).orElse(null);
    ApiKey matched = null;
    for (ApiKey key : keys) if (key.secret().matches(presented) && matched == null) matched = key; // no early exit: time does not tell which key
    if (matched != null) return matched;
    String client = addresses.of(ctx);
    if (!failures.tryCount(client)) {
      throw new ApiException(429, "too_many_bad_keys", "too many requests with a wrong API key; try again later", Optional.of(Duration.ofSeconds(60)));
    }
    throw ApiException.unauthorized("a valid push API key is required (Authorization: Bearer <key>)");
  }

  /** {@link #require} and the key may act for {@code appId}: 403 {@code forbidden_app} otherwise. */
  public ApiKey requireFor(Context ctx, String appId) {
    ApiKey key = require(ctx);
    checkScope(key, appId);
    return key;
  }

  /**
   * For routes that name their app in the path ({@code /v1/apps/{appId}…}): a valid key, the key
   * scoped to the app ({@code 403}, before anything else is looked at: a scoped key cannot tell
   * an app served here from one that is not), and the app one of {@code apps} ({@code 404}, which
   * only a key for every app can meet). Returns the appId.
   */
  public String requireForPathApp(Context ctx, Set<String> apps) {
    return forPathApp(ctx, apps, Role.VIEWER).appId();
  }

  /** A key allowed to act on an app: the key, and the app it acts on. */
  public record Authorized(ApiKey key, String appId) {}

  /** {@link #requireForPathApp(Context, Set)}, then the key's role allows {@code needed} ({@link #checkRole}). */
  public Authorized forPathApp(Context ctx, Set<String> apps, Role needed) {
    ApiKey key = require(ctx);
    String appId = ctx.pathParam("appId");
    checkScope(key, appId);
    if (!apps.contains(appId)) throw ApiException.notFound("no app " + appId + " is served here");
    checkRole(key, needed);
    return new Authorized(key, appId);
  }

  /**
   * For routes that name their app in {@code ?appId=}: a valid key, the key scoped to the app
   * ({@code 403}, first, as for {@link #requireForPathApp}), and the app one of {@code apps}
   * ({@code 400 invalid_request} / {@code unknown_app}). Returns the appId.
   */
  public String requireForQueryApp(Context ctx, Set<String> apps) {
    return forQueryApp(ctx, apps, Role.VIEWER).appId();
  }

  /** {@link #requireForQueryApp(Context, Set)}, then the key's role allows {@code needed} ({@link #checkRole}). */
  public Authorized forQueryApp(Context ctx, Set<String> apps, Role needed) {
    ApiKey key = require(ctx);
    String appId = ctx.queryParam("appId");
    if (appId == null || appId.isEmpty()) throw ApiException.badRequest("invalid_request", "query parameter 'appId' is required");
    checkScope(key, appId);
    if (!apps.contains(appId)) throw ApiException.badRequest("unknown_app", "appId is not served here");
    checkRole(key, needed);
    return new Authorized(key, appId);
  }

  /**
   * Whose push a requestId of a path is ({@code GET}/{@code DELETE /v1/pushes/{requestId}},
   * {@code POST …/retry}): a requestId belongs to its app. {@code ?appId=} given: the key scoped to
   * it ({@code 403 forbidden_app}), then that app. Not given, for a key acting for one app: that
   * app. For a key acting for several (a scoped key with several apps, or a bare key: every app of
   * {@code served}): the apps of them holding the id, asked of {@code appsWith} at once — none: empty
   * (the caller answers 404); one: it; several: {@code 400 app_required}. Another app's push is
   * never a hint: a key only ever hears of its own apps' ids.
   *
   * @param appsWith which of the given apps hold the requestId
   * @return the app whose push to look at, or empty when none of the key's apps holds the id
   */
  public static Optional<String> appOfRequestId(Context ctx, ApiKey key, Set<String> served,
      Function<Collection<String>, List<String>> appsWith) {
    String asked = ctx.queryParam("appId");
    if (asked != null && !asked.isEmpty()) {
      checkScope(key, asked);
      return Optional.of(asked);
    }
    Set<String> apps = new TreeSet<>(key.apps().orElse(served));
    if (apps.size() == 1) return Optional.of(apps.iterator().next());
    if (apps.isEmpty()) return Optional.empty();
    List<String> with = appsWith.apply(apps);
    if (with.size() > 1) {
      throw ApiException.badRequest("app_required", "requestId '" + ctx.pathParam("requestId")
          + "' is used by more than one app this key acts for: name the app with ?appId=");
    }
    return with.stream().findFirst();
  }

  /**
   * 403 {@code forbidden_app} unless {@code key} may act for {@code appId}: the one answer for
   * every app outside a scoped key's list, served here or not. Call it before any check that
   * depends on whether the app is served, so the answers never tell the two apart.
   */
  public static void checkScope(ApiKey key, String appId) {
    if (!key.mayActFor(appId)) throw new ApiException(403, "forbidden_app", "this API key may not act for app '" + appId + "'");
  }

  /**
   * 403 {@code forbidden_role} unless {@code key}'s role allows {@code needed}. Call it after the
   * scope checks of the app the request names: a key of another app hears {@code forbidden_app}
   * whatever its role.
   */
  public static void checkRole(ApiKey key, Role needed) {
    if (!key.role().allows(needed)) {
      throw new ApiException(403, "forbidden_role", "this API key's role is " + key.role().wire() + "; this needs "
          + needed.wire() + " or above");
    }
  }

  /** A key's public name: 16 hex digits of its SHA-256, safe to store and to log. */
  public static String fingerprint(Secret key) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(key.bytes());
      return HexFormat.of().formatHex(d, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The configured key with this fingerprint (a key since removed from PUSH_API_KEYS has none). */
  public Optional<Secret> byFingerprint(String fingerprint) {
    for (ApiKey key : keys) if (fingerprint(key.secret()).equals(fingerprint)) return Optional.of(key.secret());
    return Optional.empty();
  }
}
