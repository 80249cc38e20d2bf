package io.wxpush.ingest.http;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.http.Context;
import io.wxpush.http.ApiException;
import io.wxpush.json.Json;

/** Reads a request body that must be one JSON object, with clear 4xx errors when it is not. */
public final class JsonBody {
  private JsonBody() {}

  /** @throws ApiException 400 {@code malformed_json} or {@code invalid_request}, 413 when too large for the server */
  public static JsonNode object(Context ctx) {
    return object(ctx, Long.MAX_VALUE);
  }

  /**
   * As {@link #object(Context)}, for a route whose bodies are smaller than the server's limit:
   * one over {@code maxBytes} is refused with 413 {@code body_too_large} before it is read.
   */
  public static JsonNode object(Context ctx, long maxBytes) {
    long declared = ctx.contentLength();
    if (declared > maxBytes) throw tooLarge(maxBytes);
    byte[] bytes = ctx.bodyAsBytes(); // Javalin enforces maxRequestSize here (413)
    if (bytes.length > maxBytes) throw tooLarge(maxBytes); // a chunked body declares no length
    if (bytes.length == 0) throw ApiException.badRequest("malformed_json", "the request body is empty; a JSON object is expected");
    JsonNode node;
    try {
      node = Json.MAPPER.readTree(bytes);
    } catch (JacksonException e) {
      throw ApiException.badRequest("malformed_json", "the request body is not valid JSON");
    } catch (java.io.IOException e) {
      throw ApiException.badRequest("malformed_json", "the request body could not be read");
    }
    if (node == null || !node.isObject()) throw ApiException.badRequest("invalid_request", "the request body must be a JSON object");
    return node;
  }

  private static ApiException tooLarge(long maxBytes) {
    return new ApiException(413, "body_too_large", "the request body is larger than " + maxBytes / 1024 + " KiB");
  }

  /** A required string field of at most {@code maxLength} characters. */
  public static String text(JsonNode body, String field, int maxLength) {
    JsonNode node = body.get(field);
    if (node == null || node.isNull()) throw ApiException.badRequest("invalid_request", "'" + field + "' is required");
    if (!node.isTextual() || node.asText().isEmpty()) throw ApiException.badRequest("invalid_request", "'" + field + "' must be a non-empty string");
    if (node.asText().length() > maxLength) throw ApiException.badRequest("invalid_request", "'" + field + "' is longer than " + maxLength + " characters");
    return node.asText();
  }
}
