package io.wxpush.demo;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintStream;
import java.net.URI;
import java.time.Duration;
import java.util.Map;

/**
 * One push through the public API: {@code POST /v1/pushes}, then {@code GET /v1/pushes/{id}}
 * every 200 ms with a live progress line until the state is {@code done}. Blocking.
 */
final class PushRun {
  /** The final status of a push and how long it took from request to done. */
  record Outcome(String label, String kind, String requestId, JsonNode status, Duration elapsed) {
    long count(String field) {
      return status.path(field).asLong();
    }

    double sendsPerSecond() {
      double s = elapsed.toMillis() / 1000.0;
      return s <= 0 ? 0 : count("sent") / s;
    }
  }

  private final JsonClient http;
  private final DemoOptions options;
  private final PrintStream out;

  PushRun(JsonClient http, DemoOptions options, PrintStream out) {
    this.http = http;
    this.options = options;
    this.out = out;
  }

  Outcome run(String label, Map<String, Object> body, Duration limit) throws InterruptedException {
    String requestId = (String) body.get("requestId");
    String kind = (String) body.get("kind");
    long start = System.nanoTime();
    http.post(options.ingest().resolve("/v1/pushes"), options.pushApiKey(), body).require("POST /v1/pushes");
    URI statusUri = statusUri(requestId);
    JsonNode[] last = {JsonClient.MAPPER.createObjectNode()};
    try (var progress = new ProgressLine(out, options.terminal(), () -> line(label, last[0], start))) {
      while (true) {
        JsonClient.Reply r = http.get(statusUri, options.pushApiKey());
        if (r.ok()) {
          last[0] = r.body();
          if ("done".equals(r.body().path("state").asText()) && r.body().path("pending").asLong() == 0) break;
        } else if (r.status() != 404) { // 404: the status record is written a moment after the 202
          r.require("GET /v1/pushes/" + requestId);
        }
        if (System.nanoTime() - start > limit.toNanos()) {
          throw new IllegalStateException(label + " push was not done within " + limit.toSeconds() + " s; last status " + last[0]);
        }
        Thread.sleep(200);
      }
    }
    return new Outcome(label, kind, requestId, last[0], Duration.ofNanos(System.nanoTime() - start));
  }

  URI statusUri(String requestId) {
    return options.ingest().resolve("/v1/pushes/" + requestId + "?appId=" + options.appId()); // a requestId is its app's
  }

  private static String line(String label, JsonNode s, long start) {
    double secs = (System.nanoTime() - start) / 1e9;
    long sent = s.path("sent").asLong();
    return String.format("%-9s %-11s sent %,d/%,d  noCredential %,d  failed %,d  pending %,d  %.1f s  %,.0f sends/s",
        label, s.path("state").asText("accepted"), sent, s.path("targets").asLong(), s.path("noCredential").asLong(),
        s.path("failed").asLong(), s.path("pending").asLong(), secs, secs > 0 ? sent / secs : 0.0);
  }
}
