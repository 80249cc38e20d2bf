package io.wxpush.worker;

import io.javalin.Javalin;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.wxpush.config.CommonConfig;
import io.wxpush.config.GrantSource;
import io.wxpush.credentials.CredentialPool;
import io.wxpush.fleet.Heartbeat;
import io.wxpush.metrics.WxpushMeter;
import io.wxpush.policy.PolicyStore;
import io.wxpush.policy.QuietHolds;
import io.wxpush.push.MessageIds;
import io.wxpush.redis.RedisKeys;
import io.wxpush.templates.TemplateRegistry;
import io.wxpush.worker.sender.SendLedger;
import io.wxpush.http.HealthCheck;
import io.wxpush.http.HttpServer;
import io.wxpush.kafka.AckedPublisher;
import io.wxpush.kafka.KafkaClients;
import io.wxpush.kafka.TopicAdmin;
import io.wxpush.kafka.Topics;
import io.wxpush.metrics.Registries;
import io.wxpush.process.ProcessRunner;
import io.wxpush.redis.RedisBatcher;
import io.wxpush.redis.RedisConnections;
import io.wxpush.push.PushStatusStore;
import io.wxpush.worker.credentials.CredentialsRole;
import io.wxpush.worker.fanout.FanoutRole;
import io.wxpush.worker.loop.ConsumerLoop;
import io.wxpush.worker.loop.Role;
import io.wxpush.worker.sender.SenderRole;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.UnifiedJedis;

/**
 * A running push-worker: the roles it was given, plus health and metrics. Closing stops in
 * order: roles in the reverse of their start (each drains and commits), then HTTP, then clients;
 * each step runs even when an earlier one failed.
 */
public final class PushWorker implements ProcessRunner.Supervised {
  private static final Logger log = LoggerFactory.getLogger(PushWorker.class);

  private final Deque<AutoCloseable> stack;
  private final Javalin http;
  private final CompletableFuture<RuntimeException> failed;

  private PushWorker(Deque<AutoCloseable> stack, Javalin http, CompletableFuture<RuntimeException> failed) {
    this.stack = stack;
    this.http = http;
    this.failed = failed;
  }

  /** Starts a worker with {@code config} on the system clock. */
  public static PushWorker start(WorkerConfig config) {
    return builder(config).start();
  }

  public static Builder builder(WorkerConfig config) {
    return new Builder(config);
  }

  /** How a worker is put together: its config, and the clock its roles read (the system's by default). */
  public static final class Builder {
    private final WorkerConfig config;
    private Clock clock = Clock.systemUTC();

    private Builder(WorkerConfig config) {
      this.config = config;
    }

    public Builder clock(Clock clock) {
      this.clock = clock;
      return this;
    }

    /** Starts the configured roles, then health and metrics; on any failure closes what it started and throws. */
    public PushWorker start() {
      return PushWorker.start(config, clock);
    }
  }

  private static PushWorker start(WorkerConfig config, Clock clock) {
    CommonConfig common = config.common();
    Topics topics = common.topics();
    PrometheusMeterRegistry registry = Registries.prometheus("push-worker");
    Deque<AutoCloseable> stack = new ArrayDeque<>();
    List<ConsumerLoop> loops = new ArrayList<>();
    try {
      Admin admin = KafkaClients.admin(common.kafkaBootstrapServers(), "wxpush-worker-admin");
      stack.push(admin);
      TopicAdmin topicAdmin = new TopicAdmin(admin, common.topicPartitions(), common.replication());
      topicAdmin.ensureTopics(List.of(topics.credentials(), topics.pushRequests(), topics.pushTasks(), topics.pushResults(), topics.pushDlq()));
      UnifiedJedis redis = RedisConnections.open(common.redis(), 300);
      stack.push(redis);
      // many sends at once share a few pipelines for their ledger steps and outcomes (closed after the roles)
      RedisBatcher batcher = new RedisBatcher(redis, 4, 256);
      stack.push(batcher);
      RedisKeys keys = common.redisKeys();
      Counter grantsRefused = WxpushMeter.GRANTS_REFUSED.counter(registry);
      // which templates are long-term (WeChat's list, shared through Redis): their grants are standing permissions
      TemplateRegistry templates = new TemplateRegistry(redis, keys, clock);
      CredentialPool pool = new CredentialPool(redis, keys, clock, common.poolCapPerUser(), config.maxGrantTemplates(), n -> {
        grantsRefused.increment(n);
        log.warn("event=grants_refused grants={} cap={}", n, config.maxGrantTemplates());
      }, appId -> common.grantSource(appId) == GrantSource.BOTH ? GrantSource.MATCH_WINDOW_SECONDS : 0, templates::isLongTerm);
      PushStatusStore status = new PushStatusStore(redis, batcher, keys, clock);
      PolicyStore policies = new PolicyStore(redis, keys, clock, common.defaultPolicy());
      QuietHolds quiet = new QuietHolds(redis, keys);

      List<Role> roles = new ArrayList<>();
      if (config.roles().contains(Roles.CREDENTIALS)) {
        roles.add(started(stack, CredentialsRole.start(config.credentials(), pool, registry, status,
            new MessageIds(redis, keys, config.ledgerGrace(), clock), common::grantSource, redis, config.ledgerGrace(), clock)));
      }
      if (config.roles().contains(Roles.SENDER)) {
        // A sender publishes one result record per task, keyed over many partitions: its batches
        // hold a record or two, where lz4's per-batch buffers cost more CPU than they save bytes.
        AckedPublisher publisher = publisher(common, "wxpush-sender", "none", registry, stack);
        if (config.senderMode().equals("share")) topicAdmin.configureShareGroup(topics.senderGroup(), config.taskLock(), config.maxDeliveries() + 1);
        SendLedger ledger = new SendLedger(redis, batcher, keys, clock, Duration.ofSeconds(60), config.ledgerGrace(), templates::isLongTerm);
        roles.add(started(stack, SenderRole.start(config.sender(), redis, ledger, status, publisher, registry, clock, policies, quiet)));
      }
      if (config.roles().contains(Roles.FANOUT)) {
        AckedPublisher publisher = publisher(common, "wxpush-fanout", "lz4", registry, stack); // whole pages of tasks: compresses well
        roles.add(started(stack, FanoutRole.start(config.fanout(), pool, status, publisher, clock, registry, policies, quiet)));
      }
      for (Role role : roles) loops.addAll(role.loops());

      Map<String, HealthCheck> checks = new LinkedHashMap<>();
      checks.put("kafka", () -> KafkaClients.reachable(admin));
      checks.put("redis", () -> "PONG".equals(redis.ping()));
      // a consumer loop ended by an exception consumes nothing more: the worker is not ready
      checks.put("consumers", () -> loops.stream().allMatch(loop -> loop.failure().isEmpty()));
      CompletableFuture<RuntimeException> failed = new CompletableFuture<>();
      for (ConsumerLoop loop : loops) loop.whenFailed().thenAccept(failed::complete);
      String roleNames = config.roles().stream().map(r -> r.name().toLowerCase(Locale.ROOT)).sorted()
          .collect(Collectors.joining(","));
      stack.push(new Heartbeat(redis, keys, clock, "push-worker:" + roleNames,
          () -> new int[] {(int) loops.stream().filter(l -> l.failure().isEmpty()).count(), loops.size()},
          () -> (long) registry.find("wxpush.sends").counters().stream().mapToDouble(Counter::count).sum()));
      Javalin http = HttpServer.create(registry, 16 * 1024, checks, routes -> {}).start(config.httpPort());
      log.info("event=worker_started roles={} port={}", config.roles(), http.port());
      return new PushWorker(stack, http, failed);
    } catch (RuntimeException e) {
      closeAll(stack);
      throw e;
    }
  }

  private static Role started(Deque<AutoCloseable> stack, Role role) {
    stack.push(role);
    return role;
  }

  private static AckedPublisher publisher(CommonConfig common, String clientId, String compression, PrometheusMeterRegistry registry,
      Deque<AutoCloseable> stack) {
    KafkaProducer<String, byte[]> producer = KafkaClients.durableProducer(common.kafkaBootstrapServers(), clientId, 30_000, compression);
    new KafkaClientMetrics(producer).bindTo(registry);
    stack.push(() -> producer.close(Duration.ofSeconds(10)));
    return new AckedPublisher(producer, Duration.ofSeconds(30));
  }

  public int port() {
    return http.port();
  }

  /**
   * Completes with the exception that ended any of the worker's consumer loops (by then
   * {@code /health} answers 503). Run as a process, the worker then exits with status 1 so that
   * a supervisor restarts it ({@link ProcessRunner}); an embedding caller decides for itself.
   */
  @Override
  public CompletableFuture<RuntimeException> whenFailed() {
    return failed.copy();
  }

  @Override
  public void close() {
    // Roles first (newest on top), so nothing in flight loses its clients.
    Deque<AutoCloseable> roles = new ArrayDeque<>(stack);
    http.stop();
    closeAll(roles);
  }

  private static void closeAll(Deque<AutoCloseable> stack) {
    while (!stack.isEmpty()) {
      AutoCloseable next = stack.pop();
      try {
        next.close();
      } catch (Exception e) {
        log.warn("event=close_failed what={} error={}", next.getClass().getSimpleName(), e.toString());
      }
    }
  }
}
