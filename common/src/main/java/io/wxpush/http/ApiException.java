package io.wxpush.http;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * An error a handler throws to answer the client: an HTTP status, a stable machine-readable
 * code, and a message for people. {@link HttpServer} renders every one as
 * {@code {"error":{"code":"…","message":"…"}}}.
 */
public class ApiException extends RuntimeException {
  private final int status;
  private final String code;
  private final Optional<Duration> retryAfter;
  private final Map<String, Object> details;

  public ApiException(int status, String code, String message) {
    this(status, code, message, Optional.empty());
  }

  public ApiException(int status, String code, String message, Optional<Duration> retryAfter) {
    this(status, code, message, retryAfter, Map.of());
  }

  private ApiException(int status, String code, String message, Optional<Duration> retryAfter, Map<String, Object> details) {
    super(message, null, false, false);
    this.status = status;
    this.code = code;
    this.retryAfter = retryAfter;
    this.details = details;
  }

  /** The same error with one more field inside the {@code error} object (e.g. {@code rejected}). */
  public ApiException withDetail(String field, Object value) {
    Map<String, Object> more = new LinkedHashMap<>(details);
    more.put(field, value);
    return new ApiException(status, code, getMessage(), retryAfter, Map.copyOf(more));
  }

  public static ApiException badRequest(String code, String message) {
    return new ApiException(400, code, message);
  }

  public static ApiException unauthorized(String message) {
    return new ApiException(401, "unauthorized", message);
  }

  public static ApiException notFound(String message) {
    return new ApiException(404, "not_found", message);
  }

  /** 503 with {@code Retry-After}: the request may succeed later, nothing was accepted. */
  public static ApiException unavailable(String code, String message, Duration retryAfter) {
    return new ApiException(503, code, message, Optional.of(retryAfter));
  }

  public int status() {
    return status;
  }

  public String code() {
    return code;
  }

  public Map<String, Object> details() {
    return details;
  }

  public Optional<Duration> retryAfter() {
    return retryAfter;
  }
}
