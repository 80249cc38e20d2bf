package io.wxpush.sim;

import com.fasterxml.jackson.databind.JsonNode;
import io.wxpush.json.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/** Real HTTP calls against a running sim, as a WeChat client or an admin would make them. */
final class SimHttp {
  /** One answer: HTTP status and the parsed JSON body ({@code null} when not JSON). */
  record Answer(int status, JsonNode json) {
    int errcode() {
      return json == null || !json.has("errcode") ? 0 : json.get("errcode").asInt();
    }
  }

  /**
   * One client per sim: its pooled connections belong to that sim. A client shared across tests
   * could reuse a kept-alive connection to a stopped sim whose port a later sim got, and read EOF.
   */
  private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();
  private final String base;

  SimHttp(WeChatSim sim) {
    this.base = sim.baseUrl();
  }

  Answer get(String pathAndQuery) {
    return call(HttpRequest.newBuilder(URI.create(base + pathAndQuery)).GET(), Duration.ofSeconds(10));
  }

  Answer post(String pathAndQuery, Object body) {
    return post(pathAndQuery, body, Duration.ofSeconds(10));
  }

  Answer post(String pathAndQuery, Object body, Duration timeout) {
    return call(HttpRequest.newBuilder(URI.create(base + pathAndQuery)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofByteArray(body instanceof String s ? s.getBytes() : Json.write(body))), timeout);
  }

  Answer put(String path, Object body) {
    return call(HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/json")
        .PUT(HttpRequest.BodyPublishers.ofByteArray(Json.write(body))), Duration.ofSeconds(10));
  }

  Answer delete(String path) {
    return call(HttpRequest.newBuilder(URI.create(base + path)).DELETE(), Duration.ofSeconds(10));
  }

  /** A send that may time out: {@code null} when no answer came within {@code timeout}. */
  Answer postOrTimeout(String pathAndQuery, Object body, Duration timeout) {
    try {
      return post(pathAndQuery, body, timeout);
    } catch (IllegalStateException e) {
      if (e.getCause() instanceof HttpTimeoutException) return null;
      throw e;
    }
  }

  /** The exception a post ended with (its cause unwrapped), or null when it got an answer. */
  Throwable postOrFailure(String pathAndQuery, Object body) {
    try {
      post(pathAndQuery, body);
      return null;
    } catch (IllegalStateException e) {
      return e.getCause();
    }
  }

  String token(String appId, String secret) {
    return get("/cgi-bin/token?grant_type=client_credential&appid=" + appId + "&secret=" + secret).json().get("access_token").asText();
  }

  Answer sendTemplate(String token, String openId, String templateId, String formId, Map<String, String> data) {
    return post("/cgi-bin/message/wxopen/template/send?access_token=" + token, Map.of(
        "touser", openId, "template_id", templateId, "form_id", formId, "data", wrap(data)));
  }

  Answer sendSubscribe(String token, String openId, String templateId, Map<String, String> data) {
    return post("/cgi-bin/message/subscribe/send?access_token=" + token, Map.of(
        "touser", openId, "template_id", templateId, "data", wrap(data)));
  }

  static Map<String, Object> wrap(Map<String, String> data) {
    Map<String, Object> out = new LinkedHashMap<>();
    data.forEach((k, v) -> out.put(k, Map.of("value", v)));
    return out;
  }

  private Answer call(HttpRequest.Builder request, Duration timeout) {
    try {
      HttpResponse<byte[]> response = client.send(request.timeout(timeout).build(), HttpResponse.BodyHandlers.ofByteArray());
      JsonNode json;
      try {
        json = Json.MAPPER.readTree(response.body());
      } catch (IOException e) {
        json = null;
      }
      return new Answer(response.statusCode(), json);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
