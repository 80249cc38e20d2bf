package io.wxpush.worker;

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

/** A running push-worker: the roles it was given, plus health and metrics. Close to stop, in order. */
public final class PushWorker implements AutoCloseable {
  private final Javalin http;
  private final Admin admin;
  private final UnifiedJedis redis;

  private PushWorker(Javalin http, Admin admin, UnifiedJedis redis) {
    this.http = http;
    this.admin = admin;
    this.redis = redis;
  }

  public static PushWorker start(WorkerConfig config) {
    PrometheusMeterRegistry registry = Registries.prometheus("push-worker");
    Admin admin = KafkaClients.admin(config.common().kafkaBootstrapServers(), "wxpush-worker-admin");
    UnifiedJedis redis = RedisConnections.open(config.common().redis(), 64);
    Map<String, HealthCheck> checks = new LinkedHashMap<>();
    checks.put("kafka", () -> KafkaClients.reachable(admin));
    checks.put("redis", () -> "PONG".equals(redis.ping()));
    Javalin http = HttpServer.create(registry, 16 * 1024, checks, routes -> {}).start(config.httpPort());
    return new PushWorker(http, admin, redis);
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
