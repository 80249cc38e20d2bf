import io.wxpush.secret.Secret;
import io.wxpush.wechat.WeChatApp;
import io.wxpush.wechat.WeChatClient;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.client.BufferingResponseListener;
import org.eclipse.jetty.client.BytesRequestContent;
import org.eclipse.jetty.client.Result;
import com.sun.management.OperatingSystemMXBean;

/**
 * The WeChat call alone, per HTTP client (bench/http-clients.sh, BENCHMARKS.md §11): POSTs of a template
 * message to wechat-sim, CONCURRENCY in flight, and this process's CPU time per request (the sim's
 * is not counted). One warm-up round of a third of the requests, then the measured round.
 * <pre>
 *   HttpClientBench okhttp|jetty|jetty-async|jdk SIM_URL APP SECRET REQUESTS CONCURRENCY
 * </pre>
 * okhttp is wxpush's own {@link WeChatClient} (its reply parsed as in production); the others
 * read the answer as a string.
 */
public final class HttpClientBench {
  @FunctionalInterface
  interface Client {
    /** Sends one request; calls {@code done} when its answer is in (possibly on another thread). */
    void send(byte[] body, Runnable done) throws Exception;
  }

  public static void main(String[] a) throws Exception {
    String mode = a[0];
    String base = a[1];
    int requests = Integer.parseInt(a[4]);
    int concurrency = Integer.parseInt(a[5]);
    WeChatClient weChat = new WeChatClient(URI.create(base), Duration.ofSeconds(10), concurrency, Clock.systemUTC());
    String token = weChat.stableToken(new WeChatApp(a[2], Secret.of(a[3]), null, null), false).value();
    String path = "cgi-bin/message/wxopen/template/send";
    URI url = URI.create(base + "/" + path + "?access_token=" + token);
    AtomicInteger failures = new AtomicInteger();
    Client client = switch (mode) {
      case "okhttp" -> (body, done) -> {
        if (weChat.send(path, token, body).httpStatus() != 200) failures.incrementAndGet();
        done.run();
      };
      case "jdk" -> {
        java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder().version(java.net.http.HttpClient.Version.HTTP_1_1).build();
        yield (body, done) -> {
          var response = http.send(HttpRequest.newBuilder(url).header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
          if (response.statusCode() != 200) failures.incrementAndGet();
          done.run();
        };
      }
      case "jetty", "jetty-async" -> {
        org.eclipse.jetty.client.HttpClient http = new org.eclipse.jetty.client.HttpClient();
        http.setMaxConnectionsPerDestination(concurrency);
        http.setMaxRequestsQueuedPerDestination(concurrency * 4);
        http.start();
        if (mode.equals("jetty")) {
          yield (body, done) -> {
            var response = http.POST(url).body(new BytesRequestContent("application/json", body)).send();
            if (response.getStatus() != 200) failures.incrementAndGet();
            done.run();
          };
        }
        yield (body, done) -> http.POST(url).body(new BytesRequestContent("application/json", body))
            .send(new BufferingResponseListener() {
              @Override
              public void onComplete(Result result) {
                if (result.isFailed() || result.getResponse().getStatus() != 200) failures.incrementAndGet();
                getContentAsString();
                done.run();
              }
            });
      }
      default -> throw new IllegalArgumentException("unknown client " + mode);
    };
    boolean async = mode.equals("jetty-async");
    var os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    Semaphore inFlight = new Semaphore(concurrency);
    for (int round = 0; round < 2; round++) {
      int count = round == 0 ? Math.max(1, requests / 3) : requests;
      CountDownLatch finished = new CountDownLatch(count);
      long cpu0 = os.getProcessCpuTime();
      long t0 = System.nanoTime();
      try (var threads = Executors.newVirtualThreadPerTaskExecutor()) {
        for (int i = 0; i < count; i++) {
          inFlight.acquire();
          byte[] body = ("{\"touser\":\"u" + i + "\",\"template_id\":\"TPL_BENCH\",\"form_id\":\"f" + i
              + "\",\"data\":{\"keyword1\":{\"value\":\"order 42 shipped\"}}}").getBytes(StandardCharsets.UTF_8);
          Runnable done = () -> {
            inFlight.release();
            finished.countDown();
          };
          Runnable one = () -> {
            try {
              client.send(body, done);
            } catch (Exception e) {
              failures.incrementAndGet();
              done.run();
            }
          };
          if (async) one.run(); else threads.execute(one);
        }
        finished.await();
      }
      long cpu = os.getProcessCpuTime() - cpu0;
      double seconds = (System.nanoTime() - t0) / 1e9;
      if (round == 1) {
        System.out.printf("RESULT client=%s requests=%d concurrency=%d requests/s=%.0f cpu_us_per_request=%.1f failures=%d%n",
            mode, count, concurrency, count / seconds, cpu / 1000.0 / count, failures.get());
      }
    }
    System.exit(0);
  }
}
