package io.wxpush.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;

/**
 * For business services that ask for pushes over HTTP: {@code POST /v1/pushes} and
 * {@code GET /v1/pushes/{requestId}} on ingest-api, with a push API key, on the JDK's own
 * {@code java.net.http}. Error answers become {@link ApiError}s with wxpush's code and message.
 * Thread-safe; blocking.
 */
public final class HttpPushClient implements PushClient {
  private final URI base;
  private final String apiKey;
  private final HttpClient http;
  private final Duration timeout;

  /**
   * @param base ingest-api's root, e.g. {@code https://push.example.com}
   * @param apiKey one of {@code PUSH_API_KEYS}
   */
  public HttpPushClient(URI base, String apiKey, Duration timeout) {
    this.base = Objects.requireNonNull(base, "base");
    this.apiKey = Objects.requireNonNull(apiKey, "apiKey");
    this.timeout = Objects.requireNonNull(timeout, "timeout");
    this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
  }

  /** An answer of 4xx or 5xx: wxpush's error code ({@code invalid_push}, {@code unauthorized}, …), its message and body. */
  public static final class ApiError extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int status;
    private final String code;
    private final transient JsonNode body;

    ApiError(int status, JsonNode body) {
      super("HTTP " + status + " " + body.path("error").path("code").asText("") + ": " + body.path("error").path("message").asText(""));
      this.status = status;
      this.code = body.path("error").path("code").asText("");
      this.body = body;
    }

    public int status() {
      return status;
    }

    public String code() {
      return code;
    }

    /** The whole answer (field errors of a push are under {@code error.fields}). */
    public JsonNode body() {
      return body;
    }

    /** 503: Kafka did not take the request; it was not accepted, and sending it again is safe. */
    public boolean retryable() {
      return status == 503;
    }
  }

  /** Asks for a push; returns its requestId once wxpush has accepted it. */
  @Override
  public String push(PushRequest request) throws IOException, InterruptedException {
    return push((Object) request);
  }

  /** Asks for a push given as any value Jackson writes as the body of {@code POST /v1/pushes} (a map, a tree); returns its requestId. */
  public String push(Object request) throws IOException, InterruptedException {
    HttpRequest post = HttpRequest.newBuilder(base.resolve("/v1/pushes")).timeout(timeout)
        .header("Authorization", "Bearer " + apiKey).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofByteArray(ClientJson.write(request))).build();
    return call(post).path("requestId").asText();
  }

  /** The push's status ({@code state}, {@code targets}, {@code sent}, …, {@code byReason}). */
  public PushStatus status(String requestId) throws IOException, InterruptedException {
    HttpRequest get = HttpRequest.newBuilder(base.resolve("/v1/pushes/" + URLEncoder.encode(requestId, StandardCharsets.UTF_8)))
        .timeout(timeout).header("Authorization", "Bearer " + apiKey).GET().build();
    return PushStatus.of(call(get));
  }

  /** Nothing to release: the JDK's client holds no connection between calls that needs closing. */
  @Override
  public void close() {}

  private JsonNode call(HttpRequest request) throws IOException, InterruptedException {
    HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
    JsonNode body = response.body().length == 0 ? ClientJson.MAPPER.createObjectNode() : ClientJson.MAPPER.readTree(response.body());
    if (response.statusCode() >= 400) throw new ApiError(response.statusCode(), body);
    return body;
  }
}
