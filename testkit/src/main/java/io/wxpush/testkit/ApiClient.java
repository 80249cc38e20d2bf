package io.wxpush.testkit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The one HTTP client of the wxpush API for tests: real requests (java.net.http) to a process on
 * this machine, each answer read whole and parsed as JSON when it is JSON. The typed calls name
 * the contract's routes (README, HTTP API); {@link #post} and {@link #get} send anything to any
 * path, for tests of hostile input. Works against any wxpush process ({@code /health},
 * {@code /metrics}) and, through the raw calls, against wechat-sim's admin routes.
 *
 * <p>A request that fails with an {@link IOException} is sent again, up to 5 times in all: the
 * server closes a pooled connection after refusing an oversized body unread, and several pooled
 * connections may be stale at once. Thread-safe; every call blocks up to 30 s per attempt.
 */
public final class ApiClient {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private static final int ATTEMPTS = 5;

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final String base;

  /** @param base the server's root, e.g. {@code http://127.0.0.1:8080} (no trailing slash) */
  public ApiClient(String base) {
    this.base = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
  }

  /** A client of the process listening on {@code port} of 127.0.0.1. */
  public static ApiClient local(int port) {
    return new ApiClient("http://127.0.0.1:" + port);
  }

  public String base() {
    return base;
  }

  /**
   * One answer.
   *
   * @param body the parsed JSON body; null when the body is empty or not JSON
   * @param raw the response as received
   */
  public record Reply(int status, JsonNode body, HttpResponse<String> raw) {
    /** The {@code error.code} of an error answer, or null. */
    public String errorCode() {
      return body == null ? null : body.path("error").path("code").asText(null);
    }

    /** The body as text. */
    public String text() {
      return raw.body();
    }

    public Optional<String> header(String name) {
      return raw.headers().firstValue(name);
    }

    /** This reply when its status is {@code expected}; else an {@link AssertionError} naming both and the body. */
    public Reply expect(int expected) {
      if (status != expected) throw new AssertionError("expected HTTP " + expected + " but got " + status + ": " + raw.body());
      return this;
    }
  }

  // ---- the contract's routes

  /** {@code POST /v1/sessions}: exchanges a {@code wx.login} code for a session token. */
  public Reply createSession(String appId, String code) throws IOException, InterruptedException {
    return post("/v1/sessions", null, Map.of("appId", appId, "code", code));
  }

  /** {@code POST /v1/credentials} with {@code {"credentials": items}}, as the user of {@code sessionToken}. */
  public Reply uploadCredentials(String sessionToken, List<?> items) throws IOException, InterruptedException {
    return post("/v1/credentials", sessionToken, Map.of("credentials", items));
  }

  /** {@code POST /v1/pushes} with {@code body} (a map, or JSON text). */
  public Reply push(String apiKey, Object body) throws IOException, InterruptedException {
    return post("/v1/pushes", apiKey, body);
  }

  /** {@code GET /v1/pushes/{requestId}}. */
  public Reply pushStatus(String apiKey, String requestId) throws IOException, InterruptedException {
    return get("/v1/pushes/" + segment(requestId), apiKey);
  }

  /** {@code GET /v1/pushes/{requestId}?appId=…}: the push of that app (a requestId is its app's). */
  public Reply pushStatus(String apiKey, String appId, String requestId) throws IOException, InterruptedException {
    return get("/v1/pushes/" + segment(requestId) + "?appId=" + URLEncoder.encode(appId, StandardCharsets.UTF_8), apiKey);
  }

  /** {@code DELETE /v1/pushes/{requestId}?appId=…}: cancels the push of that app. */
  public Reply cancelPush(String apiKey, String appId, String requestId) throws IOException, InterruptedException {
    return send("DELETE", "/v1/pushes/" + segment(requestId) + "?appId=" + URLEncoder.encode(appId, StandardCharsets.UTF_8),
        Map.of("Authorization", "Bearer " + apiKey), null);
  }

  /** {@code POST /v1/pushes/{requestId}/retry?appId=…}: retries the push of that app. */
  public Reply retryPush(String apiKey, String appId, String requestId) throws IOException, InterruptedException {
    return post("/v1/pushes/" + segment(requestId) + "/retry?appId=" + URLEncoder.encode(appId, StandardCharsets.UTF_8), apiKey, Map.of());
  }

  /** {@code GET /v1/users/{openId}/credentials?appId=…}: what the user's pools hold. */
  public Reply userCredentials(String apiKey, String appId, String openId) throws IOException, InterruptedException {
    return get("/v1/users/" + segment(openId) + "/credentials?appId=" + URLEncoder.encode(appId, StandardCharsets.UTF_8), apiKey);
  }

  /** {@code GET /health} of any wxpush process. */
  public Reply health() throws IOException, InterruptedException {
    return get("/health", null);
  }

  /** True when {@code /health} answers 200; false when it answers otherwise or nothing answers. */
  public boolean healthy() {
    try {
      return http.send(request("/health", null).timeout(Duration.ofSeconds(2)).GET().build(),
          HttpResponse.BodyHandlers.ofString()).statusCode() == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** {@code GET /metrics} of any wxpush process: the Prometheus text. */
  public String metrics() throws IOException, InterruptedException {
    return get("/metrics", null).expect(200).text();
  }

  // ---- anything to any path

  /**
   * {@code POST path} with {@code body}: bytes and text are sent as they are, anything else as
   * JSON. {@code bearer} (a session token or a push API key) goes in {@code Authorization:
   * Bearer …} unless null.
   */
  public Reply post(String path, String bearer, Object body) throws IOException, InterruptedException {
    byte[] bytes = switch (body) {
      case null -> new byte[0];
      case byte[] b -> b;
      case String s -> s.getBytes(StandardCharsets.UTF_8);
      default -> json(body);
    };
    return send(request(path, bearer).header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(bytes)).build());
  }

  /** {@code GET path}, with {@code Authorization: Bearer bearer} unless null. */
  public Reply get(String path, String bearer) throws IOException, InterruptedException {
    return send(request(path, bearer).GET().build());
  }

  /**
   * Any request: {@code method} to {@code path} with exactly {@code headers} (an
   * {@code Authorization} of any scheme, a wrong content type, …) and {@code body} (null: none).
   */
  public Reply send(String method, String path, Map<String, String> headers, byte[] body) throws IOException, InterruptedException {
    HttpRequest.Builder request = request(path, null)
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
    headers.forEach(request::header);
    return send(request.build());
  }

  /** A credential item of an upload: {@code form_id} or {@code prepay_id}. */
  public static Map<String, Object> credential(String kind, String value, long collectedAt) {
    return Map.of("kind", kind, "value", value, "collectedAt", collectedAt);
  }

  /** A subscription grant item of an upload. */
  public static Map<String, Object> grant(String templateId, String value, long collectedAt) {
    Map<String, Object> item = new HashMap<>(credential("subscription", value, collectedAt));
    item.put("templateId", templateId);
    return item;
  }

  private HttpRequest.Builder request(String path, String bearer) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(TIMEOUT);
    if (bearer != null) request.header("Authorization", "Bearer " + bearer);
    return request;
  }

  private Reply send(HttpRequest request) throws IOException, InterruptedException {
    HttpResponse<String> response;
    for (int attempt = 1; ; attempt++) {
      try {
        response = http.send(request, HttpResponse.BodyHandlers.ofString());
        break;
      } catch (IOException staleConnection) {
        if (attempt == ATTEMPTS) throw staleConnection;
      }
    }
    JsonNode body = null;
    try {
      body = response.body().isEmpty() ? null : JSON.readTree(response.body());
    } catch (JsonProcessingException notJson) {
      // leave body null: the test asserts on status and text
    }
    return new Reply(response.statusCode(), body, response);
  }

  private static byte[] json(Object value) {
    try {
      return JSON.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("cannot write " + value.getClass().getSimpleName() + " as JSON", e);
    }
  }

  private static String segment(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
