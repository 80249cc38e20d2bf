package io.wxpush.ingest;

import io.javalin.Javalin;
import io.javalin.config.RoutesConfig;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.wxpush.http.HttpServer;
import io.wxpush.testkit.ApiClient;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Handlers behind the HTTP bootstrap ingest-api runs (its error mapper and body limit) on a free
 * port of 127.0.0.1, for handler tests with fakes instead of Kafka and Redis. Close to stop.
 */
public final class RouteServer implements AutoCloseable {
  private final Javalin http;

  private RouteServer(Javalin http) {
    this.http = http;
  }

  /** Starts a server with {@code routes}, its meters in {@code registry}. */
  public static RouteServer start(PrometheusMeterRegistry registry, Consumer<RoutesConfig> routes) {
    return new RouteServer(HttpServer.create(registry, IngestApi.MAX_BODY_BYTES, Map.of(), routes).start("127.0.0.1", 0));
  }

  /** Starts a server with {@code routes} and a registry of its own. */
  public static RouteServer start(Consumer<RoutesConfig> routes) {
    return start(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), routes);
  }

  public ApiClient client() {
    return ApiClient.local(http.port());
  }

  @Override
  public void close() {
    http.stop();
  }
}
