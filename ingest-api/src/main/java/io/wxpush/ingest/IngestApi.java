package io.wxpush.ingest;

import io.javalin.Javalin;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.wxpush.http.HealthCheck;
import io.wxpush.http.HttpServer;
import io.wxpush.kafka.KafkaClients;
import io.wxpush.metrics.Registries;
import io.wxpush.redis.RedisConnections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import redis.clients.jedis.UnifiedJedis;

/** The running ingest-api: its HTTP server and the clients it owns. Close to stop, in order. */
public final class IngestApi implements AutoCloseable {
  private final Javalin http;
  private final Admin admin;
  private final UnifiedJedis redis;

  private IngestApi(Javalin http, Admin admin, UnifiedJedis redis) {
    this.http = http;
    this.admin = admin;
    this.redis = redis;
  }

  public static IngestApi start(IngestConfig config) {
    PrometheusMeterRegistry registry = Registries.prometheus("ingest-api");
    Admin admin = KafkaClients.admin(config.common().kafkaBootstrapServers(), "wxpush-ingest-admin");
    UnifiedJedis redis = RedisConnections.open(config.common().redis(), 64);
    Map<String, HealthCheck> checks = new LinkedHashMap<>();
    checks.put("kafka", () -> KafkaClients.reachable(admin));
    checks.put("redis", () -> "PONG".equals(redis.ping()));
    Javalin http = HttpServer.create(registry, 64 * 1024, checks, routes -> {}).start(config.httpPort());
    return new IngestApi(http, admin, redis);
  }

  public int port() {
    return http.port();
  }

  @Override
  public void close() {
    http.stop();
    admin.close();
    redis.close();
  }
}
