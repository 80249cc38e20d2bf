package io.wxpush.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.wxpush.json.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A plain HTTP client for tests: real requests to a server on this machine. */
final class ApiClient {
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final String base;

  ApiClient(String base) {
    this.base = base;
  }

  record Reply(int status, JsonNode body, HttpResponse<String> raw) {
    String errorCode() {
      return body == null ? null : body.path("error").path("code").asText(null);
    }
  }

  Reply post(String path, String bearer, Object body) throws IOException, InterruptedException {
    byte[] bytes = body instanceof byte[] b ? b : body instanceof String s ? s.getBytes() : Json.write(body);
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
        .timeout(Duration.ofSeconds(30))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofByteArray(bytes));
    if (bearer != null) request.header("Authorization", "Bearer " + bearer);
    return send(request.build());
  }

  Reply get(String path, String bearer) throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30)).GET();
    if (bearer != null) request.header("Authorization", "Bearer " + bearer);
    return send(request.build());
  }

  private Reply send(HttpRequest request) throws IOException, InterruptedException {
    HttpResponse<String> response;
    for (int attempt = 1; ; attempt++) {
      try {
        response = http.send(request, HttpResponse.BodyHandlers.ofString());
        break;
      } catch (IOException staleConnection) {
        // The server closed pooled connections (it does after refusing an oversized body
        // unread); several may be stale at once, so try again until a live one answers.
        if (attempt == 5) throw staleConnection;
      }
    }
    JsonNode body = null;
    try {
      body = response.body().isEmpty() ? null : Json.MAPPER.readTree(response.body());
    } catch (IOException e) {
      // not JSON: leave body null, the test asserts on status and raw
    }
    return new Reply(response.statusCode(), body, response);
  }
}
