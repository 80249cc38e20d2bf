package io.wxpush.ingest.push;

import io.wxpush.config.Secret;
import io.wxpush.ingest.auth.PushApiKeys;
import io.wxpush.json.Json;
import io.wxpush.push.CallbackUrls;
import io.wxpush.push.PushCallbacks;
import io.wxpush.push.PushStatus;
import io.wxpush.push.PushStatusStore;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * POSTs each push's final status to its {@code callbackUrl} (BRIEF §3): the status JSON of
 * {@code GET /v1/pushes/{id}}, signed {@code X-Wxpush-Signature: sha256=<hex HMAC-SHA256 of the
 * body, keyed with the push API key that created it>}. The queue is in Redis (one sorted set per
 * app, by next attempt), so a restart loses no callback; every ingest-api polls it once a second
 * and claims what is due for a lease, so two never POST the same attempt at once. A non-2xx answer
 * or a failed connection is retried with exponential backoff (1 s doubling to 1 h) and full jitter
 * for 24 h from when the push ended, then given up. Redirects are not followed, each POST has
 * {@code CALLBACK_TIMEOUT}, and a host that resolves to a loopback, link-local or private address
 * is refused unless {@code CALLBACK_ALLOW_PRIVATE}. Delivery is at least once: a receiver should
 * treat a repeat of the same status as one.
 */
public final class CallbackDispatcher implements Runnable, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(CallbackDispatcher.class);
  static final Duration GIVE_UP_AFTER = Duration.ofHours(24);
  private static final Duration LEASE = Duration.ofSeconds(60);
  private static final Duration NOT_FINAL_POLL = Duration.ofSeconds(1);
  private static final int BATCH = 50;

  private final PushStatusStore statuses;
  private final PushCallbacks status;
  private final PushApiKeys keys;
  private final Set<String> apps;
  private final Duration timeout;
  private final boolean allowPrivate;
  private final Clock clock;
  private final HttpClient http;

  public CallbackDispatcher(PushStatusStore statuses, PushCallbacks callbacks, PushApiKeys keys, Set<String> apps, Duration timeout,
      boolean allowPrivate, Clock clock) {
    this.statuses = statuses;
    this.status = callbacks;
    this.keys = keys;
    this.apps = Set.copyOf(apps);
    this.timeout = timeout;
    this.allowPrivate = allowPrivate;
    this.clock = clock;
    this.http = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER).build();
  }

  @Override
  public void run() {
    try {
      for (String appId : apps) {
        for (String rid : status.claimCallbacks(appId, LEASE, BATCH)) handle(appId, rid);
      }
    } catch (RuntimeException e) {
      log.warn("event=callback_dispatch_failed error={}", e.toString()); // the claims' leases bring them back
    }
  }

  private void handle(String appId, String rid) {
    Optional<PushStatus> s = statuses.read(rid);
    Optional<PushCallbacks.Callback> cb = status.callback(rid);
    if (s.isEmpty() || cb.isEmpty()) { // the status expired (8 days): nothing left to report
      status.endCallback(appId, rid, "gave_up", 0);
      return;
    }
    if (!s.get().isFinal()) {
      status.callbackLater(appId, rid, clock.millis() + NOT_FINAL_POLL.toMillis());
      return;
    }
    long finalSince = status.callbackFinalSince(rid);
    int attempts = cb.get().attempts() + 1;
    String outcome = post(cb.get(), s.get());
    if (outcome == null) {
      status.endCallback(appId, rid, "delivered", attempts);
      log.info("event=callback_delivered requestId={} attempts={}", rid, attempts);
      return;
    }
    long now = clock.millis();
    if (outcome.startsWith("refused") || now - finalSince >= GIVE_UP_AFTER.toMillis()) {
      status.endCallback(appId, rid, "gave_up", attempts);
      log.warn("event=callback_given_up requestId={} attempts={} why={}", rid, attempts, outcome);
      return;
    }
    long cap = Math.min(3_600_000L, 1_000L << Math.min(attempts - 1, 22));
    long delay = ThreadLocalRandom.current().nextLong(cap / 2, cap + 1); // jitter: spread retries of many pushes
    status.retryCallback(appId, rid, attempts, now + delay);
    log.info("event=callback_failed requestId={} attempt={} why={} retry_in_ms={}", rid, attempts, outcome, delay);
  }

  /** POSTs the status; null when the receiver answered 2xx, else why not ("refused…" when it never will be). */
  private String post(PushCallbacks.Callback cb, PushStatus s) {
    Optional<Secret> key = keys.byFingerprint(cb.keyFingerprint() == null ? "" : cb.keyFingerprint());
    if (key.isEmpty()) return "refused_key_removed"; // the key that created it is no longer configured: nothing to sign with
    URI uri = URI.create(cb.url());
    String problem = CallbackUrls.problem(cb.url(), allowPrivate);
    if (problem != null) return "refused_url";
    if (!allowPrivate) {
      try {
        for (InetAddress a : InetAddress.getAllByName(uri.getHost())) if (CallbackUrls.isInternal(a)) return "refused_internal_address";
      } catch (java.net.UnknownHostException e) {
        return "unknown_host";
      }
    }
    byte[] body = Json.write(PushHandler.answer(s));
    HttpRequest request = HttpRequest.newBuilder(uri).timeout(timeout).header("Content-Type", "application/json")
        .header("X-Wxpush-Signature", "sha256=" + sign(key.get(), body)).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
    try {
      HttpResponse<Void> reply = http.send(request, HttpResponse.BodyHandlers.discarding());
      return reply.statusCode() / 100 == 2 ? null : "http_" + reply.statusCode();
    } catch (java.io.IOException e) {
      return e.getClass().getSimpleName();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted";
    }
  }

  /** The hex HMAC-SHA256 of {@code body} keyed with {@code key}. */
  public static String sign(Secret key, byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key.bytes(), "HmacSHA256"));
      return HexFormat.of().formatHex(mac.doFinal(body));
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    http.close();
  }
}
