package io.wxpush.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executors;

/**
 * The demo's calls that the client artifact does not cover: the mini-program's side of ingest-api
 * ({@code POST /v1/sessions}, {@code POST /v1/credentials}), the pool lookup
 * {@code GET /v1/users/{openId}/credentials}, and the sim's {@code /sim/...} admin API. JSON over one
 * shared {@link HttpClient}, bodies in and out as Jackson trees. Thread-safe; every call blocks the
 * calling (virtual) thread. Connection failures and {@code 503}/{@code 429} answers are retried a
 * few times, since the demo runs on a busy machine. Pushes go through {@code HttpPushClient}.
 */
final class DemoHttp {
  static final ObjectMapper MAPPER = new ObjectMapper();
  private static final int ATTEMPTS = 5;

  /** One answer: the HTTP status and the parsed body (a missing node when it was not JSON). */
  record Reply(int status, JsonNode body) {
    boolean ok() {
      return status / 100 == 2;
    }

    /** The answer, or an exception naming the call and what came back. */
    JsonNode require(String what) {
      if (!ok()) throw new IllegalStateException(what + " answered HTTP " + status + ": " + body);
      return body;
    }
  }

  private final HttpClient http = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(5))
      .version(HttpClient.Version.HTTP_1_1)
      .executor(Executors.newVirtualThreadPerTaskExecutor())
      .build();

  Reply get(URI uri, String bearer) {
    return send(request(uri, bearer).GET().build(), ATTEMPTS);
  }

  Reply post(URI uri, String bearer, Object body) {
    return send(postRequest(uri, bearer, body), ATTEMPTS);
  }

  /**
   * One attempt, no retry: for a call that must not be repeated as it is (a login code is
   * single-use). A connection failure answers status 0.
   */
  Reply postOnce(URI uri, String bearer, Object body) {
    try {
      return send(postRequest(uri, bearer, body), 1);
    } catch (IllegalStateException e) {
      return new Reply(0, MissingNode.getInstance());
    }
  }

  private static HttpRequest postRequest(URI uri, String bearer, Object body) {
    try {
      byte[] json = MAPPER.writeValueAsBytes(body == null ? Map.of() : body);
      return request(uri, bearer).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofByteArray(json)).build();
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot write JSON body", e);
    }
  }

  private static HttpRequest.Builder request(URI uri, String bearer) {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30));
    if (bearer != null) b.header("Authorization", "Bearer " + bearer);
    return b;
  }

  private Reply send(HttpRequest request, int attempts) {
    IOException last = null;
    for (int attempt = 1; attempt <= attempts; attempt++) {
      try {
        HttpResponse<byte[]> r = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        if ((r.statusCode() == 503 || r.statusCode() == 429) && attempt < attempts) {
          pause(attempt);
          continue;
        }
        return new Reply(r.statusCode(), parse(r.body()));
      } catch (IOException e) {
        last = e;
        if (attempt < attempts) pause(attempt);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted calling " + request.uri(), e);
      }
    }
    throw new IllegalStateException(request.method() + " " + request.uri() + " failed: " + last, last);
  }

  private static JsonNode parse(byte[] body) {
    if (body.length == 0) return MissingNode.getInstance();
    try {
      return MAPPER.readTree(body);
    } catch (IOException e) {
      return MissingNode.getInstance();
    }
  }

  private static void pause(int attempt) {
    try {
      Thread.sleep(200L * attempt);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
