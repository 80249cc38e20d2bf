package io.wxpush.sim;

import io.javalin.http.Context;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.server.Request;

/**
 * Puts each request on the sim's WeChat API into the {@link RequestLog} as it arrives, from either
 * front: Jetty (the send endpoints, {@link SendEndpointHandler}) or Javalin (every other route, a
 * before-handler). The control plane ({@code /sim/…}), {@code /health} and {@code /metrics} are
 * not WeChat's API and are not recorded. Thread-safe.
 */
final class RequestRecorder {
  private final RequestLog log;
  private final SimClock clock;

  RequestRecorder(RequestLog log, SimClock clock) {
    this.log = log;
    this.clock = clock;
  }

  static boolean isWeChatApi(String path) {
    return !path.startsWith("/sim/") && !path.equals("/sim") && !path.equals("/health") && !path.equals("/metrics");
  }

  /** Javalin's before-handler; reads the body (Javalin keeps it for the route). */
  void record(Context ctx) {
    if (!log.enabled() || !isWeChatApi(ctx.path())) return;
    List<Map.Entry<String, String>> headers = new ArrayList<>();
    for (String name : Collections.list(ctx.req().getHeaderNames())) {
      for (String value : Collections.list(ctx.req().getHeaders(name))) headers.add(Map.entry(name, value));
    }
    byte[] body;
    try {
      body = ctx.bodyAsBytes();
    } catch (RuntimeException e) {
      body = new byte[0]; // too large or cut off: the route answers it; the request is still recorded
    }
    log.record(now(), ctx.method().name(), ctx.path(), ctx.queryString(), headers, body);
  }

  /** The Jetty front, once it has read the body. */
  void record(Request request, byte[] body) {
    if (!log.enabled()) return;
    List<Map.Entry<String, String>> headers = new ArrayList<>();
    for (HttpField f : request.getHeaders()) headers.add(Map.entry(f.getName(), f.getValue()));
    log.record(now(), request.getMethod(), request.getHttpURI().getPath(), request.getHttpURI().getQuery(), headers, body);
  }

  private Instant now() {
    return Instant.ofEpochMilli(clock.nowMillis());
  }
}
