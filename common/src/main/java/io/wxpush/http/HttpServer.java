package io.wxpush.http;

import io.javalin.Javalin;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.json.JavalinJackson;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.wxpush.json.Json;
import io.wxpush.metrics.WxpushMeter;
import io.wxpush.redis.StoreUnavailableException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.exceptions.JedisException;

/**
 * Builds the HTTP server every wxpush process runs (Javalin on Jetty 12, a virtual thread per
 * request): the process's own routes, plus {@code GET /health} and {@code GET /metrics}, and one
 * error mapper so that every error has the shape {@code {"error":{"code","message"}}} and no
 * stack trace reaches a client.
 */
public final class HttpServer {
  private static final Logger log = LoggerFactory.getLogger(HttpServer.class);

  private HttpServer() {}

  /**
   * @param maxRequestBytes bodies larger than this are refused with 413
   * @param checks name → check; {@code /health} is 200 only when all pass
   * @param routes the process's own routes, registered on {@code config.routes}
   */
  public static Javalin create(
      PrometheusMeterRegistry registry,
      long maxRequestBytes,
      Map<String, HealthCheck> checks,
      Consumer<RoutesConfig> routes) {
    return Javalin.create(config -> {
      config.concurrency.useVirtualThreads = true;
      config.http.maxRequestSize = maxRequestBytes;
      config.http.defaultContentType = "application/json";
      // Javalin copies every response through a fresh buffer of this size (default: Jetty's 32 KiB
      // output buffer); wxpush's answers are a few hundred bytes, and zeroing 32 KiB per request
      // was a tenth of an upload's CPU. Larger responses (/metrics) are just copied in more steps.
      config.http.responseBufferSize = 4096;
      config.startup.showJavalinBanner = false;
      // No per-connection header cache: Jetty remembers each header line a connection sent in a
      // trie so a repeat is parsed by one look-up, but behind a load balancer (and in wrk) every
      // request brings another user's Authorization header, so each one was a trie walk and a
      // trie insert: a tenth of an upload's CPU in a JFR profile (issue 19, BENCHMARKS.md §11)
      config.jetty.modifyHttpConfiguration(http -> http.setHeaderCacheSize(0));
      // requests Jetty refuses before routing (an ambiguous or malformed URI, a bad header) get
      // the same JSON error shape as everything else, not Jetty's HTML page
      config.jetty.modifyServer(server -> server.setErrorHandler(new JsonErrorHandler()));
      config.jsonMapper(new JavalinJackson(Json.MAPPER, true));
      // Timed by route template, never the raw path, so the series stay bounded.
      config.requestLogger.http((ctx, ms) -> WxpushMeter.HTTP_REQUESTS.timer(registry,
          ctx.method().name(), routeOf(ctx), Integer.toString(ctx.statusCode())).record(Duration.ofNanos((long) (ms * 1_000_000))));
      config.routes.get("/health", ctx -> health(ctx, checks));
      config.routes.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(registry.scrape()));
      routes.accept(config.routes);
      config.routes.exception(ApiException.class, HttpServer::renderApi);
      config.routes.exception(HttpResponseException.class, (e, ctx) ->
          render(ctx, e.getStatus(), codeFor(e.getStatus()), e.getMessage()));
      config.routes.exception(StoreUnavailableException.class, (e, ctx) -> {
        log.warn("event=redis_unavailable route={} error={}", routeOf(ctx), e.getCause().getClass().getSimpleName());
        ctx.header("Retry-After", "5");
        render(ctx, 503, "unavailable", "storage is not answering; nothing was accepted, retry later");
      });
      // a route that reached Redis without its store's wrapper: the same 503, never a 500
      config.routes.exception(JedisException.class, (e, ctx) -> {
        log.warn("event=redis_unavailable route={} error={}", routeOf(ctx), e.getClass().getSimpleName());
        ctx.header("Retry-After", "5");
        render(ctx, 503, "unavailable", "storage is not answering; nothing was accepted, retry later");
      });
      config.routes.exception(Exception.class, (e, ctx) -> {
        log.error("event=unhandled_error method={} route={}", ctx.method(), routeOf(ctx), e);
        render(ctx, 500, "internal", "internal error");
      });
      config.routes.error(404, ctx -> {
        if (ctx.result() == null) render(ctx, 404, "not_found", "no such route: " + ctx.method() + " " + ctx.path());
      });
      config.routes.error(405, ctx -> render(ctx, 405, "method_not_allowed", "method not allowed"));
    });
  }

  /** The route template (never the raw path, which would leak ids into logs and tags). */
  static String routeOf(Context ctx) {
    try {
      return ctx.endpoint().path;
    } catch (RuntimeException e) {
      return "NOT_FOUND";
    }
  }

  private static void health(Context ctx, Map<String, HealthCheck> checks) {
    Map<String, String> results = new LinkedHashMap<>();
    boolean up = true;
    for (var entry : checks.entrySet()) {
      boolean ok;
      try {
        ok = entry.getValue().check();
      } catch (Exception e) {
        ok = false;
      }
      results.put(entry.getKey(), ok ? "UP" : "DOWN");
      up &= ok;
    }
    ctx.status(up ? 200 : 503).json(Map.of("status", up ? "UP" : "DOWN", "checks", results));
  }

  private static void renderApi(ApiException e, Context ctx) {
    e.retryAfter().ifPresent(d -> ctx.header("Retry-After", Long.toString(Math.max(1, d.toSeconds()))));
    Map<String, Object> error = new LinkedHashMap<>();
    error.put("code", e.code());
    error.put("message", e.getMessage());
    error.putAll(e.details());
    ctx.status(e.status()).json(Map.of("error", error));
  }

  private static void render(Context ctx, int status, String code, String message) {
    ctx.status(status).json(Map.of("error", Map.of("code", code, "message", message == null ? code : message)));
  }

  /** Jetty's own refusals (before any route runs) as {@code {"error":{"code","message"}}}. */
  private static final class JsonErrorHandler extends ErrorHandler {
    @Override
    protected void generateResponse(Request request, Response response, int code, String message, Throwable cause, Callback callback) {
      String text = message == null || message.isBlank() ? HttpStatus.getMessage(code) : message;
      byte[] body = Json.write(Map.of("error", Map.of("code", codeFor(code), "message", "request refused: " + text)));
      response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
      response.write(true, ByteBuffer.wrap(body), callback);
    }
  }

  private static String codeFor(int status) {
    return switch (status) {
      case 400 -> "bad_request";
      case 401 -> "unauthorized";
      case 403 -> "forbidden";
      case 404 -> "not_found";
      case 405 -> "method_not_allowed";
      case 413 -> "body_too_large";
      case 415 -> "unsupported_media_type";
      default -> status >= 500 ? "internal" : "error";
    };
  }
}
