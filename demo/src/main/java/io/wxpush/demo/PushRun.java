package io.wxpush.demo;

import io.wxpush.client.HttpPushClient;
import io.wxpush.client.PushRequest;
import io.wxpush.client.PushStatus;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;

/**
 * One push through the client artifact: {@link HttpPushClient#push} ({@code POST /v1/pushes}), then
 * {@link HttpPushClient#status} ({@code GET /v1/pushes/{id}}) every 200 ms with a live progress
 * line until the state is {@code done}. Blocking.
 */
final class PushRun {
  private static final int ATTEMPTS = 5;

  /** The final status of a push and how long it took from request to done. */
  record Outcome(String label, String kind, String requestId, PushStatus status, Duration elapsed) {
    double sendsPerSecond() {
      double s = elapsed.toMillis() / 1000.0;
      return s <= 0 ? 0 : status.sent() / s;
    }
  }

  private final HttpPushClient client;
  private final PrintStream out;
  private final boolean terminal;

  PushRun(HttpPushClient client, boolean terminal, PrintStream out) {
    this.client = client;
    this.terminal = terminal;
    this.out = out;
  }

  Outcome run(String label, PushRequest push, Duration limit) throws InterruptedException {
    long start = System.nanoTime();
    submit(push);
    PushStatus[] last = {null};
    try (var progress = new ProgressLine(out, terminal, () -> line(label, last[0], start))) {
      while (true) {
        PushStatus s = statusOrNull(push.requestId());
        if (s != null) {
          last[0] = s;
          if ("done".equals(s.state()) && s.pending() == 0) break;
        }
        if (System.nanoTime() - start > limit.toNanos()) {
          throw new IllegalStateException(label + " push was not done within " + limit.toSeconds() + " s; last status "
              + (last[0] == null ? "none" : last[0].json()));
        }
        Thread.sleep(200);
      }
    }
    return new Outcome(label, push.kind(), push.requestId(), last[0], Duration.ofNanos(System.nanoTime() - start));
  }

  /**
   * Asks for the push, again after a connection failure or a 503/429: the requestId makes a
   * repeat the same push.
   */
  private void submit(PushRequest push) throws InterruptedException {
    for (int attempt = 1; ; attempt++) {
      try {
        client.push(push);
        return;
      } catch (HttpPushClient.ApiError e) {
        if (!(e.retryable() || e.status() == 429) || attempt >= ATTEMPTS) throw e;
      } catch (IOException e) {
        if (attempt >= ATTEMPTS) throw new IllegalStateException("POST /v1/pushes failed: " + e, e);
      }
      Thread.sleep(200L * attempt);
    }
  }

  /** The push's status, or null while there is none to read yet (404: the record is written a moment after the 202) or on a passing failure. */
  private PushStatus statusOrNull(String requestId) throws InterruptedException {
    try {
      return client.status(requestId);
    } catch (HttpPushClient.ApiError e) {
      if (e.status() == 404 || e.retryable() || e.status() == 429) return null;
      throw e;
    } catch (IOException e) {
      return null;
    }
  }

  private static String line(String label, PushStatus s, long start) {
    double secs = (System.nanoTime() - start) / 1e9;
    if (s == null) return String.format("%-9s %-11s %.1f s", label, "accepted", secs);
    return String.format("%-9s %-11s sent %,d/%,d  noCredential %,d  failed %,d  pending %,d  %.1f s  %,.0f sends/s",
        label, s.state(), s.sent(), s.targets(), s.noCredential(), s.failed(), s.pending(), secs, secs > 0 ? s.sent() / secs : 0.0);
  }
}
