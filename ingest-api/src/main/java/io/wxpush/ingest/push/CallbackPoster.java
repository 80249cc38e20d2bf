package io.wxpush.ingest.push;

import io.wxpush.secret.Secret;
import io.wxpush.push.CallbackUrls;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetAddress;
import java.net.Proxy;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import okhttp3.ConnectionPool;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okio.Buffer;
import okio.BufferedSource;

/**
 * One callback POST, bounded and pinned: the receiver's host is resolved once, every address it
 * resolves to is checked against the internal ranges, and the connection goes to those checked
 * addresses only (no second look-up a DNS answer could change in between; HTTPS still sends the
 * host name for SNI and checks the certificate against it). The whole exchange — connecting,
 * writing, the answer's headers and body — ends within the timeout (OkHttp's call time-out), so a
 * receiver that announces a body and never sends it holds a POST for the timeout, not for good.
 * Redirects are not followed and a failed connection is not silently retried. Signs the body both
 * ways ({@link CallbackSignatures}). Thread-safe; blocks for at most the timeout.
 */
final class CallbackPoster implements AutoCloseable {
  /** Answer bytes read before the answer counts as complete: a receiver has nothing more to tell. */
  static final long MAX_ANSWER_BYTES = 64 * 1024;
  private static final MediaType JSON = MediaType.get("application/json");

  /** How one POST ended. */
  sealed interface Result {
    /** The receiver answered 2xx, body and all. */
    record Delivered() implements Result {}

    /** Not delivered this time (a non-2xx answer, a failed or timed-out exchange): worth another try. */
    record Failed(String why) implements Result {}

    /** Never deliverable as configured (the URL or its address refused): give up at once. */
    record Refused(String why) implements Result {}
  }

  /** How a host name becomes addresses; {@link #SYSTEM} is the JDK's resolver. */
  @FunctionalInterface
  interface Resolver {
    Resolver SYSTEM = InetAddress::getAllByName;

    InetAddress[] resolve(String host) throws UnknownHostException;
  }

  private final OkHttpClient http;
  private final boolean allowPrivate;
  private final Clock clock;
  private final Resolver resolver;

  CallbackPoster(Duration timeout, boolean allowPrivate, Clock clock) {
    this(timeout, allowPrivate, clock, Resolver.SYSTEM);
  }

  CallbackPoster(Duration timeout, boolean allowPrivate, Clock clock, Resolver resolver) {
    this.allowPrivate = allowPrivate;
    this.clock = clock;
    this.resolver = resolver;
    this.http = new OkHttpClient.Builder().callTimeout(timeout).connectTimeout(timeout).readTimeout(timeout).writeTimeout(timeout)
        .followRedirects(false).followSslRedirects(false).retryOnConnectionFailure(false)
        .proxy(Proxy.NO_PROXY) // a proxy would resolve the host itself: the checked address must be the one used
        .connectionPool(new ConnectionPool(0, 1, TimeUnit.SECONDS)) // each POST pins its own addresses: nothing to reuse
        .build();
  }

  /** POSTs {@code body} to {@code url}, signed with {@code key} as message {@code messageId}. */
  Result post(String url, Secret key, String messageId, byte[] body) {
    if (CallbackUrls.problem(url, allowPrivate) != null) return new Result.Refused("refused_url");
    HttpUrl target = HttpUrl.parse(url);
    if (target == null) return new Result.Refused("refused_url");
    List<InetAddress> addresses;
    try {
      addresses = List.of(resolver.resolve(target.host())); // the one look-up: what is checked below is what is connected to
    } catch (UnknownHostException e) {
      return new Result.Failed("unknown_host");
    }
    if (!allowPrivate && addresses.stream().anyMatch(CallbackUrls::isInternal)) return new Result.Refused("refused_internal_address");
    String host = target.host();
    OkHttpClient pinned = http.newBuilder().dns(name -> {
      if (!name.equals(host)) throw new UnknownHostException(name + " is not the callback's host");
      return addresses;
    }).build();
    long timestamp = clock.millis() / 1000;
    Request request = new Request.Builder().url(target)
        .header("User-Agent", "wxpush-callbacks")
        .header("X-Wxpush-Signature", "sha256=" + CallbackSignatures.hex(key, body))
        .header("webhook-id", messageId)
        .header("webhook-timestamp", Long.toString(timestamp))
        .header("webhook-signature", CallbackSignatures.standard(key, messageId, timestamp, body))
        .post(RequestBody.create(body, JSON)).build();
    try (Response answer = pinned.newCall(request).execute()) {
      drain(answer.body());
      return answer.isSuccessful() ? new Result.Delivered() : new Result.Failed("http_" + answer.code());
    } catch (InterruptedIOException e) {
      return new Result.Failed("timeout");
    } catch (IOException e) {
      return new Result.Failed(e.getClass().getSimpleName());
    }
  }

  /** Reads the answer to its end (at most {@link #MAX_ANSWER_BYTES}): an answer cut short is not an answer. */
  private static void drain(ResponseBody body) throws IOException {
    if (body == null) return;
    BufferedSource source = body.source();
    Buffer sink = new Buffer();
    long read = 0;
    while (read < MAX_ANSWER_BYTES) {
      long n = source.read(sink, 8192);
      if (n < 0) return;
      read += n;
      sink.clear();
    }
  }

  @Override
  public void close() {
    http.dispatcher().executorService().shutdown();
    http.connectionPool().evictAll();
  }
}
