package io.wxpush.sim;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.wxpush.http.ApiException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The request log over HTTP, for processes that do not embed the sim: {@code GET /sim/requests}
 * lists what is kept (optionally {@code ?path=} exact and {@code ?limit=} newest), {@code DELETE}
 * clears it, and {@code POST /sim/requests/take?timeoutMs=} is {@link WeChatSim#takeRequest}
 * (404 {@code no_request} when none arrives in time).
 */
final class RequestLogRoutes {
  private static final long MAX_TAKE_MS = 60_000;

  private final WeChatSim sim;

  RequestLogRoutes(WeChatSim sim) {
    this.sim = sim;
  }

  void register(RoutesConfig routes) {
    routes.get("/sim/requests", this::list);
    routes.delete("/sim/requests", ctx -> {
      sim.clearRequests();
      ctx.json(Map.of("cleared", true));
    });
    routes.post("/sim/requests/take", this::take);
  }

  private void list(Context ctx) {
    String path = ctx.queryParam("path");
    int limit = (int) number(ctx, "limit", Integer.MAX_VALUE, Integer.MAX_VALUE);
    List<RecordedRequest> kept = sim.requests().stream().filter(r -> path == null || r.path().equals(path)).toList();
    List<Map<String, Object>> shown = kept.subList(Math.max(0, kept.size() - limit), kept.size()).stream().map(RequestLogRoutes::json).toList();
    Map<String, Object> out = new LinkedHashMap<>(sim.requestLogStats());
    out.put("requests", shown);
    ctx.json(out);
  }

  private void take(Context ctx) {
    long timeoutMs = number(ctx, "timeoutMs", 5_000, MAX_TAKE_MS);
    RecordedRequest r = sim.takeRequest(Duration.ofMillis(timeoutMs))
        .orElseThrow(() -> new ApiException(404, "no_request", "no request arrived within " + timeoutMs + " ms"));
    ctx.json(json(r));
  }

  static Map<String, Object> json(RecordedRequest r) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("sequence", r.sequence());
    out.put("receivedAt", r.receivedAt().toString());
    out.put("method", r.method());
    out.put("path", r.path());
    out.put("query", r.query());
    out.put("headers", r.headers());
    out.put("body", r.body());
    return out;
  }

  private static long number(Context ctx, String name, long fallback, long max) {
    String text = ctx.queryParam(name);
    if (text == null) return fallback;
    try {
      long v = Long.parseLong(text);
      if (v < 0 || v > max) throw new NumberFormatException();
      return v;
    } catch (NumberFormatException e) {
      throw ApiException.badRequest("invalid_request", name + " must be a whole number between 0 and " + max);
    }
  }
}
