package io.wxpush.wechat;

import com.fasterxml.jackson.databind.JsonNode;
import io.wxpush.json.Json;
import io.wxpush.quota.Quota;
import io.wxpush.templates.Template;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import okhttp3.Call;
import okhttp3.ConnectionPool;
import okhttp3.Dispatcher;
import okhttp3.EventListener;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/**
 * Calls the WeChat mini-program server API (or wechat-sim) at {@code WECHAT_API_BASE}. Never
 * logs: URLs carry access tokens and secrets. Thread-safe; every method blocks on the network
 * (call from virtual threads to have many in flight).
 */
public final class WeChatClient {
  private static final MediaType JSON = MediaType.get("application/json; charset=utf-8");

  /** Connections kept by one OkHttp pool; OkHttp scans a pool's connections on every call. */
  private static final int CONNECTIONS_PER_SHARD = 64;

  /** Clients sharing one configuration, each with its own connection pool (see {@link #http()}). */
  private final OkHttpClient[] shards;
  private final HttpUrl base;
  private final Clock clock;

  /**
   * @param timeout the whole-call time-out of one request (connect, write, read)
   * @param maxConnections idle connections kept to WeChat; size to the sends in flight
   */
  public WeChatClient(URI base, Duration timeout, int maxConnections, Clock clock) {
    Dispatcher dispatcher = new Dispatcher();
    dispatcher.setMaxRequests(Math.max(64, maxConnections));
    dispatcher.setMaxRequestsPerHost(Math.max(64, maxConnections));
    OkHttpClient shared = new OkHttpClient.Builder()
        .connectTimeout(Math.min(timeout.toMillis(), 3_000), TimeUnit.MILLISECONDS)
        // No okio time-out at all, neither per socket read or write nor per call: each is an okio
        // AsyncTimeout entered and left in one priority queue under one lock shared by every call
        // in flight (a JFR profile of a 1,000-send-wide sender put okio.PriorityQueue.heapifyDown
        // at ~10 % of its CPU with read/write time-outs, and still at 5.7 % with the call time-out
        // alone). The whole-call time-out is this client's own Deadlines: a stalled call is
        // cancelled, which closes its socket, within a tenth of a second of its deadline.
        .callTimeout(0, TimeUnit.MILLISECONDS)
        .readTimeout(0, TimeUnit.MILLISECONDS)
        .writeTimeout(0, TimeUnit.MILLISECONDS)
        .retryOnConnectionFailure(false) // a retried send could be delivered twice; wxpush decides
        .eventListener(RequestWritten.LISTENER)
        .dispatcher(dispatcher)
        .build();
    // HTTP/1.1 holds one call per connection, and OkHttp looks for a free connection by walking
    // its pool: with a thousand sends in flight one pool costs a thousand checks per call.
    // Several smaller pools (same settings, same dispatcher) keep that walk short.
    int count = Math.max(1, (maxConnections + CONNECTIONS_PER_SHARD - 1) / CONNECTIONS_PER_SHARD);
    this.shards = new OkHttpClient[count];
    int perShard = Math.max(1, (maxConnections + count - 1) / count);
    for (int i = 0; i < count; i++) {
      shards[i] = shared.newBuilder().connectionPool(new ConnectionPool(perShard, 5, TimeUnit.MINUTES)).build();
    }
    this.base = HttpUrl.get(base.toString());
    this.clock = clock;
    this.timeoutNanos = timeout.toNanos();
  }

  private final long timeoutNanos;
  private final Deadlines deadlines = new Deadlines();

  /**
   * The whole-call time-out of every call in flight: a map of calls to their deadlines (a put and
   * a remove per call, no lock shared by all of them) swept by one daemon thread ten times a
   * second, which cancels a call past its deadline and marks it timed out.
   */
  private static final class Deadlines {
    private static final long SWEEP_MS = 100;
    private final ConcurrentHashMap<Call, long[]> inFlight = new ConcurrentHashMap<>();
    private volatile boolean closed;

    Deadlines() {
      Thread.ofPlatform().name("wechat-call-deadlines").daemon().start(this::sweep);
    }

    void add(Call call, long deadlineNanos) {
      inFlight.put(call, new long[] {deadlineNanos});
    }

    void remove(Call call) {
      inFlight.remove(call);
    }

    private void sweep() {
      while (!closed) {
        try {
          Thread.sleep(SWEEP_MS);
        } catch (InterruptedException e) {
          return;
        }
        long now = System.nanoTime();
        inFlight.forEach((call, deadline) -> {
          if (now - deadline[0] >= 0 && inFlight.remove(call) != null) {
            RequestWritten mark = call.request().tag(RequestWritten.class);
            if (mark != null) mark.timedOut = true;
            call.cancel();
          }
        });
      }
    }

    void close() {
      closed = true;
    }
  }

  /** The last send URL built, per path: the access token changes every two hours, the URL with it. */
  private final ConcurrentHashMap<String, SendUrl> sendUrls = new ConcurrentHashMap<>();

  private record SendUrl(String token, HttpUrl url) {}

  private HttpUrl sendUrl(String path, String accessToken) {
    SendUrl cached = sendUrls.get(path);
    if (cached != null && cached.token().equals(accessToken)) return cached.url();
    HttpUrl url = base.newBuilder().addPathSegments(path).addQueryParameter("access_token", accessToken).build();
    sendUrls.put(path, new SendUrl(accessToken, url));
    return url;
  }

  private OkHttpClient http() {
    return shards.length == 1 ? shards[0] : shards[ThreadLocalRandom.current().nextInt(shards.length)];
  }

  /** Exchanges a {@code wx.login} code for the user's openId ({@code sns/jscode2session}). */
  public Code2Session code2Session(WeChatApp app, String code) throws WeChatException {
    HttpUrl url = base.newBuilder().addPathSegments("sns/jscode2session")
        .addQueryParameter("appid", app.appId())
        .addQueryParameter("secret", app.secret().reveal())
        .addQueryParameter("js_code", code)
        .addQueryParameter("grant_type", "authorization_code")
        .build();
    Answer answer = call(new Request.Builder().url(url).get());
    JsonNode body = answer.body();
    if (!answer.reply().ok() || body == null || !body.path("openid").isTextual()) {
      throw new WeChatException(answer.reply().ok() ? new WeChatReply(answer.reply().httpStatus(), -1, "no openid in answer", false) : answer.reply());
    }
    JsonNode union = body.get("unionid");
    return new Code2Session(body.get("openid").asText(), union != null && union.isTextual() ? Optional.of(union.asText()) : Optional.empty());
  }

  /**
   * Fetches an access token through {@code cgi-bin/stable_token} (normal mode returns the
   * current token; {@code forceRefresh} invalidates it and issues a new one).
   */
  public AccessToken stableToken(WeChatApp app, boolean forceRefresh) throws WeChatException {
    byte[] body = Json.write(Map.of(
        "grant_type", "client_credential", "appid", app.appId(), "secret", app.secret().reveal(), "force_refresh", forceRefresh));
    HttpUrl url = base.newBuilder().addPathSegments("cgi-bin/stable_token").build();
    return token(call(new Request.Builder().url(url).post(RequestBody.create(body, JSON))));
  }

  /** Fetches an access token through the older {@code cgi-bin/token}. */
  public AccessToken legacyToken(WeChatApp app) throws WeChatException {
    HttpUrl url = base.newBuilder().addPathSegments("cgi-bin/token")
        .addQueryParameter("grant_type", "client_credential")
        .addQueryParameter("appid", app.appId())
        .addQueryParameter("secret", app.secret().reveal())
        .build();
    return token(call(new Request.Builder().url(url).get()));
  }

  private AccessToken token(Answer answer) throws WeChatException {
    JsonNode body = answer.body();
    if (!answer.reply().ok() || body == null || !body.path("access_token").isTextual()) {
      throw new WeChatException(answer.reply().ok() ? new WeChatReply(answer.reply().httpStatus(), -1, "no access_token in answer", false) : answer.reply());
    }
    long expiresIn = body.path("expires_in").asLong(7200);
    return new AccessToken(body.get("access_token").asText(), clock.millis() + expiresIn * 1000);
  }

  /**
   * The app's subscribe templates ({@code wxaapi/newtmpl/gettemplate}): its "my templates" list,
   * each with the keywords its {@code content} names.
   */
  public List<Template> subscribeTemplates(String accessToken) throws WeChatException {
    HttpUrl url = base.newBuilder().addPathSegments("wxaapi/newtmpl/gettemplate").addQueryParameter("access_token", accessToken).build();
    Answer answer = call(new Request.Builder().url(url).get());
    JsonNode body = answer.body();
    if (!answer.reply().ok() || body == null || !body.path("data").isArray()) {
      throw new WeChatException(answer.reply().ok() ? new WeChatReply(answer.reply().httpStatus(), -1, "no data in answer", false) : answer.reply());
    }
    List<Template> out = new ArrayList<>();
    for (JsonNode t : body.get("data")) {
      if (!t.path("priTmplId").isTextual()) continue;
      out.add(Template.subscribe(t.get("priTmplId").asText(), t.path("title").asText(""),
          t.path("content").asText(""), t.path("type").asInt(2)));
    }
    return out;
  }

  /** The send API whose quota {@link #quota} reads. */
  public static final String SUBSCRIBE_SEND_PATH = "/cgi-bin/message/subscribe/send";

  /**
   * The app's quota of the subscribe send ({@code cgi-bin/openapi/quota/get} for
   * {@value #SUBSCRIBE_SEND_PATH}): the day's limit, used and remain, and the rate limit when the
   * answer names one (newer answers put {@code rate_limit} beside {@code quota}; it is read from
   * inside {@code quota} too).
   */
  public Quota quota(String accessToken) throws WeChatException {
    HttpUrl url = base.newBuilder().addPathSegments("cgi-bin/openapi/quota/get").addQueryParameter("access_token", accessToken).build();
    byte[] body = Json.write(Map.of("cgi_path", SUBSCRIBE_SEND_PATH));
    Answer answer = call(new Request.Builder().url(url).post(RequestBody.create(body, JSON)));
    JsonNode json = answer.body();
    JsonNode quota = json == null ? null : json.get("quota");
    if (!answer.reply().ok() || quota == null || !quota.path("daily_limit").canConvertToLong()) {
      throw new WeChatException(answer.reply().ok() ? new WeChatReply(answer.reply().httpStatus(), -1, "no quota in answer", false) : answer.reply());
    }
    JsonNode rate = json.has("rate_limit") ? json.get("rate_limit") : quota.get("rate_limit");
    Optional<Quota.RateLimit> rateLimit = Optional.empty();
    if (rate != null && rate.path("call_count").asLong(0) > 0 && rate.path("refresh_second").asLong(0) > 0) {
      rateLimit = Optional.of(new Quota.RateLimit(rate.get("call_count").asLong(), rate.get("refresh_second").asLong()));
    }
    long limit = Math.max(0, quota.path("daily_limit").asLong());
    long used = Math.max(0, quota.path("used").asLong());
    long remain = quota.has("remain") ? Math.max(0, quota.get("remain").asLong()) : Math.max(0, limit - used);
    return new Quota(limit, used, remain, rateLimit, clock.millis());
  }

  /**
   * Posts a message to {@code path} ({@code cgi-bin/message/wxopen/template/send} or
   * {@code cgi-bin/message/subscribe/send}). Never throws: a transport failure becomes a
   * {@link WeChatReply} with {@link WeChatReply#inDoubt()} set when the request may have arrived.
   */
  public WeChatReply send(String path, String accessToken, byte[] jsonBody) {
    return call(new Request.Builder().url(sendUrl(path, accessToken)).post(RequestBody.create(jsonBody, JSON))).reply();
  }

  private record Answer(WeChatReply reply, JsonNode body) {}

  /**
   * Whether a call's request has started to go out: set by OkHttp's event listener when it
   * begins writing the request headers. A failure before that (DNS, connect, TLS, no connection)
   * left WeChat nothing to act on; a failure after it may have come after WeChat delivered.
   */
  private static final class RequestWritten {
    static final EventListener LISTENER = new EventListener() {
      @Override
      public void requestHeadersStart(Call call) {
        RequestWritten mark = call.request().tag(RequestWritten.class);
        if (mark != null) mark.written = true;
      }
    };

    volatile boolean written;
    /** The call was cancelled by its deadline ({@link Deadlines}): a time-out, not a lost connection. */
    volatile boolean timedOut;
  }

  private Answer call(Request.Builder builder) {
    RequestWritten mark = new RequestWritten();
    Request request = builder.tag(RequestWritten.class, mark).build();
    Call call = http().newCall(request);
    deadlines.add(call, System.nanoTime() + timeoutNanos);
    try (Response response = call.execute()) {
      int status = response.code();
      String text = response.body().string();
      // A gateway in front of WeChat may answer 5xx after WeChat has acted on the request.
      if (status >= 500) return new Answer(new WeChatReply(status, -1, "http " + status, true), null);
      JsonNode body;
      try {
        body = Json.MAPPER.readTree(text);
      } catch (IOException e) {
        return new Answer(new WeChatReply(status, -1, "answer is not JSON", garbled(status)), null);
      }
      if (body == null || !body.isObject()) return new Answer(new WeChatReply(status, -1, "answer is not a JSON object", garbled(status)), null);
      int errcode = body.path("errcode").asInt(0);
      return new Answer(new WeChatReply(status, errcode, body.path("errmsg").asText(errcode == 0 ? "ok" : ""), false, body.path("msgid").asLong(0)), body);
    } catch (ConnectException | UnknownHostException | NoRouteToHostException e) {
      return new Answer(WeChatReply.transport(WeChatReply.NOT_SENT, false), null);
    } catch (IOException e) {
      // After the request went out (a time-out, a reset, a closed connection) WeChat may have
      // acted on it; before (connecting, waiting for a connection) it cannot have.
      if (!mark.written) return new Answer(WeChatReply.transport(WeChatReply.NOT_SENT, false), null);
      return new Answer(WeChatReply.transport(mark.timedOut || e instanceof InterruptedIOException ? WeChatReply.TIMED_OUT : WeChatReply.CONNECTION_LOST, true), null);
    } finally {
      deadlines.remove(call);
    }
  }

  /** A 2xx answer WeChat would never give (not a JSON object): something between us acted for it, after WeChat may have. */
  private static boolean garbled(int status) {
    return status >= 200 && status < 300;
  }

  /** Releases connections and threads. */
  public void close() {
    deadlines.close();
    shards[0].dispatcher().executorService().shutdown();
    for (OkHttpClient shard : shards) shard.connectionPool().evictAll();
  }
}
