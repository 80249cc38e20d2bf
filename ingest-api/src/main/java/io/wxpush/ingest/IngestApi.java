package io.wxpush.ingest;

import io.javalin.Javalin;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Handler;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.wxpush.config.CommonConfig;
import io.wxpush.credentials.CredentialPool;
import io.wxpush.credentials.CredentialValidator;
import io.wxpush.fleet.Heartbeat;
import io.wxpush.ingest.events.WeChatEventsHandler;
import io.wxpush.policy.PolicyStore;
import io.wxpush.ingest.push.PushCallbacks;
import io.wxpush.redis.RedisKeys;
import io.wxpush.http.HealthCheck;
import io.wxpush.http.HttpServer;
import io.wxpush.ingest.audit.AuditHandler;
import io.wxpush.ingest.audit.AuditLog;
import io.wxpush.ingest.audit.AuditTrail;
import io.wxpush.ingest.auth.AddressThrottle;
import io.wxpush.ingest.auth.PushApiKeys;
import io.wxpush.ingest.templates.TemplateGate;
import io.wxpush.ingest.templates.TemplateRefresher;
import io.wxpush.ingest.quota.QuotaRefresher;
import io.wxpush.ingest.quota.QuotaWarnings;
import io.wxpush.quota.Quota;
import io.wxpush.quota.QuotaStore;
import io.wxpush.ingest.templates.TemplatesHandler;
import io.wxpush.templates.TemplateRegistry;
import io.wxpush.token.TokenManager;
import io.wxpush.ingest.credentials.CredentialUploadHandler;
import io.wxpush.ingest.credentials.UploadMeters;
import io.wxpush.ingest.credentials.UploadRateLimiter;
import io.wxpush.ingest.credentials.UserCredentialsHandler;
import io.wxpush.ingest.push.CallbackDispatcher;
import io.wxpush.ingest.push.DryRun;
import io.wxpush.ingest.push.PushHandler;
import io.wxpush.ingest.push.UserOutcomeHandler;
import io.wxpush.ingest.session.SessionHandler;
import io.wxpush.ingest.session.SessionTokens;
import io.wxpush.kafka.AckedPublisher;
import io.wxpush.kafka.KafkaClients;
import io.wxpush.kafka.TopicAdmin;
import io.wxpush.kafka.Topics;
import io.wxpush.metrics.Registries;
import io.wxpush.push.PushRequestParser;
import io.wxpush.push.PushStatusStore;
import io.wxpush.redis.RedisConnections;
import io.wxpush.wechat.WeChatClient;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import redis.clients.jedis.UnifiedJedis;

/**
 * The running ingest-api: routes declared in one place, and the clients it owns. Close to stop,
 * in order: HTTP first (no new requests), then the producer (flushes), then the rest.
 */
public final class IngestApi implements AutoCloseable {
  /** Largest request body accepted, in bytes. */
  /** The server's body limit: the largest of its routes' (each route refuses more than its own with 413). */
  public static final long MAX_BODY_BYTES = Math.max(PushHandler.MAX_BODY_BYTES, CredentialUploadHandler.MAX_BODY_BYTES);

  private final Javalin http;
  private final KafkaProducer<String, byte[]> producer;
  private final Admin admin;
  private final UnifiedJedis redis;
  private final WeChatClient weChat;
  private final UploadRateLimiter uploadLimiter;
  private final AutoCloseable callbacks;
  private final List<String> routes;

  /** Every route it serves, as {@code METHOD /path/{param}} (OpenApiIT holds /openapi.json to them). */
  public List<String> routes() {
    return routes;
  }

  /** Registers routes and remembers each one. */
  private record Routes(RoutesConfig to, List<String> declared) {
    void get(String path, Handler h) {
      declared.add("GET " + path);
      to.get(path, h);
    }

    void post(String path, Handler h) {
      declared.add("POST " + path);
      to.post(path, h);
    }

    void put(String path, Handler h) {
      declared.add("PUT " + path);
      to.put(path, h);
    }

    void delete(String path, Handler h) {
      declared.add("DELETE " + path);
      to.delete(path, h);
    }
  }

  private IngestApi(Javalin http, List<String> routes, KafkaProducer<String, byte[]> producer, Admin admin, UnifiedJedis redis, WeChatClient weChat,
      UploadRateLimiter uploadLimiter, AutoCloseable callbacks) {
    this.http = http;
    this.routes = routes;
    this.uploadLimiter = uploadLimiter;
    this.callbacks = callbacks;
    this.producer = producer;
    this.admin = admin;
    this.redis = redis;
    this.weChat = weChat;
  }

  /** Starts the API with {@code config} on the system clock. */
  public static IngestApi start(IngestConfig config) {
    return builder(config).start();
  }

  public static Builder builder(IngestConfig config) {
    return new Builder(config);
  }

  /** How the API is put together: its config, and the clock its tokens, limits and validation read (the system's by default). */
  public static final class Builder {
    private final IngestConfig config;
    private Clock clock = Clock.systemUTC();

    private Builder(IngestConfig config) {
      this.config = config;
    }

    public Builder clock(Clock clock) {
      this.clock = clock;
      return this;
    }

    public IngestApi start() {
      return IngestApi.start(config, clock);
    }
  }

  private static IngestApi start(IngestConfig config, Clock clock) {
    CommonConfig common = config.common();
    Topics topics = common.topics();
    PrometheusMeterRegistry registry = Registries.prometheus("ingest-api");

    Admin admin = KafkaClients.admin(common.kafkaBootstrapServers(), "wxpush-ingest-admin");
    TopicAdmin topicAdmin = new TopicAdmin(admin, common.topicPartitions(), common.replication());
    topicAdmin.ensureTopics(List.of(topics.credentials(), topics.pushRequests()));
    topicAdmin.ensureTopics(List.of(topics.audit()), AuditTrail.TOPIC_CONFIG);
    int deliveryTimeoutMs = (int) Math.max(2_000, config.kafkaAckTimeout().toMillis());
    KafkaProducer<String, byte[]> producer = KafkaClients.durableProducer(common.kafkaBootstrapServers(), "wxpush-ingest", deliveryTimeoutMs,
        "none"); // an upload's records go out a few per batch: lz4's per-batch buffers cost more than it saves
    new KafkaClientMetrics(producer).bindTo(registry);
    AckedPublisher publisher = new AckedPublisher(producer, config.kafkaAckTimeout());
    UnifiedJedis redis = RedisConnections.open(common.redis(), 128);
    WeChatClient weChat = new WeChatClient(common.weChatApiBase(), config.common().weChatTimeout(), 64, clock);

    SessionTokens tokens = new SessionTokens(config.sessionSigningKey(), common.apps().keySet(), config.sessionTtl(), clock);
    PushApiKeys apiKeys = new PushApiKeys(config.pushApiKeys(), config.clientAddress(), clock);
    TokenManager accessTokens = new TokenManager(redis, common.redisKeys(), weChat, common.apps(), common.tokenEndpoint(),
        common.weChatTimeout(), clock, registry);
    TemplateRegistry templates = new TemplateRegistry(redis, common.redisKeys(), clock);
    TemplateRefresher refresher = new TemplateRefresher(redis, common.redisKeys(), templates, accessTokens, weChat, common.apps().keySet(),
        config.templateRefresh(), common.weChatTimeout(), clock, registry);
    TemplateGate gate = new TemplateGate(templates, refresher, config.legacyTemplates(), registry);
    CredentialPool pool = new CredentialPool(redis, common.redisKeys(), clock, common.poolCapPerUser(), CredentialPool.DEFAULT_GRANT_TEMPLATES,
        n -> { }, appId -> 0, templates::isLongTerm);
    QuotaStore quotas = new QuotaStore(redis, common.redisKeys());
    QuotaRefresher quotaRefresher = new QuotaRefresher(redis, common.redisKeys(), quotas, accessTokens, weChat, common.apps().keySet(),
        config.quotaRefresh(), common.weChatTimeout(), clock);

    SessionHandler sessions = new SessionHandler(common.apps(), weChat, tokens, config.clientAddress(),
        new AddressThrottle(config.sessionsPerAddressPerMinute(), clock));
    UploadRateLimiter uploadLimiter = new UploadRateLimiter(redis, common.redisKeys(), config.uploadsPerUserPerMinute(), clock,
        UploadRateLimiter.DEFAULT_SYNC_INTERVAL);
    CredentialUploadHandler uploads = new CredentialUploadHandler(tokens, new CredentialValidator(clock), uploadLimiter,
        publisher, topics.credentials(), new UploadMeters(registry), gate::grantable,
        appId -> common.grantSource(appId).clientGrants());
    UserCredentialsHandler userCredentials = new UserCredentialsHandler(apiKeys, pool, common.apps().keySet());
    AuditLog auditLog = new AuditLog(redis, common.redisKeys());
    AuditTrail audit = new AuditTrail(auditLog, producer, topics.audit(), clock, registry);
    PushStatusStore pushStatus = new PushStatusStore(redis, common.redisKeys(), clock);
    io.wxpush.ingest.push.PushCallbacks pushCallbacks = new io.wxpush.ingest.push.PushCallbacks(redis, common.redisKeys(), clock);
    PushHandler pushes = new PushHandler(apiKeys, new PushRequestParser(common.apps().keySet(), config.callbackAllowPrivate()), common.apps().keySet(),
        pushStatus, pushCallbacks, publisher, topics.pushRequests(), gate::problems, new QuotaWarnings(quotas, pool.index(), clock),
        audit);
    CallbackDispatcher callbacks = new CallbackDispatcher(pushStatus, pushCallbacks, apiKeys, common.apps().keySet(), config.callbackConcurrency(),
        config.callbackTimeout(), config.callbackAllowPrivate(), clock, registry);
    ScheduledExecutorService callbackLoop = Executors.newSingleThreadScheduledExecutor(
        Thread.ofPlatform().name("push-callbacks").daemon().factory());
    // each round only claims and starts (POSTs run on the dispatcher's own threads, per app): it never waits on a receiver
    callbackLoop.scheduleWithFixedDelay(callbacks, 1, 1, TimeUnit.SECONDS);
    // the first round at once, so a fresh fleet checks pushes within seconds of starting
    ScheduledExecutorService templateLoop = Executors.newSingleThreadScheduledExecutor(
        Thread.ofPlatform().name("template-refresh").daemon().factory());
    templateLoop.scheduleWithFixedDelay(refresher, 0, 30, TimeUnit.SECONDS);
    ScheduledExecutorService quotaLoop = Executors.newSingleThreadScheduledExecutor(
        Thread.ofPlatform().name("quota-refresh").daemon().factory());
    quotaLoop.scheduleWithFixedDelay(quotaRefresher, 0, QuotaRefresher.ROUND.toMillis(), TimeUnit.MILLISECONDS);

    WeChatEventsHandler events = new WeChatEventsHandler(common.apps(), publisher,
        topics.credentials(), registry, clock, redis, common.redisKeys());
    PolicyStore policies = new PolicyStore(redis, common.redisKeys(), clock, common.defaultPolicy());
    pushes.answeringDryRuns(new DryRun(redis, common.redisKeys(), policies, templates::isLongTerm, clock,
        appId -> quotas.read(appId).map(Quota::remain)));
    UserOutcomeHandler userOutcomes = new UserOutcomeHandler(apiKeys, common.apps().keySet(), pushStatus, redis, common.redisKeys(),
        templates::isLongTerm);
    PolicyHandler policy = new PolicyHandler(apiKeys, policies, common.apps().keySet(), audit);
    AppsHandler appsHandler = new AppsHandler(apiKeys, common.apps().keySet(), redis, common.redisKeys(), pool, policies, quotas, clock);
    FleetHandler fleet = new FleetHandler(apiKeys, redis, common.redisKeys(), clock);
    StaticAssets assets = new StaticAssets();
    Heartbeat heartbeat = new Heartbeat(redis, common.redisKeys(), clock, "ingest-api", () -> new int[] {0, 0},
        () -> 0);
    Map<String, HealthCheck> checks = new LinkedHashMap<>();
    checks.put("kafka", () -> KafkaClients.reachable(admin));
    checks.put("redis", () -> "PONG".equals(redis.ping()));
    List<String> declared = new ArrayList<>(List.of("GET /health", "GET /metrics")); // HttpServer's own
    Javalin http = HttpServer.create(registry, MAX_BODY_BYTES, checks, routes -> {
      Routes r = new Routes(routes, declared);
      r.post("/v1/sessions", sessions::create);
      r.post("/v1/credentials", uploads::upload);
      r.get("/v1/users/{openId}/credentials", userCredentials::show);
      r.get("/v1/wechat/{appId}/events", events::verify);
      r.post("/v1/wechat/{appId}/events", events::receive);
      r.get("/v1/templates", new TemplatesHandler(apiKeys, gate, common.apps().keySet())::list);
      r.get("/v1/apps", appsHandler::list);
      r.get("/v1/apps/{appId}", appsHandler::show);
      r.get("/v1/fleet", fleet::list);
      for (String path : StaticAssets.FILES.keySet()) r.get(path, assets::serve);
      r.get("/v1/apps/{appId}/policy", policy::show);
      r.put("/v1/apps/{appId}/policy", policy::replace);
      r.post("/v1/pushes", pushes::create);
      r.get("/v1/pushes", pushes::list);
      r.get("/v1/pushes/{requestId}", pushes::show);
      r.delete("/v1/pushes/{requestId}", pushes::cancel);
      r.post("/v1/pushes/{requestId}/retry", pushes::retry);
      r.get("/v1/audit", new AuditHandler(apiKeys, auditLog, common.apps().keySet())::list);
      r.get("/v1/pushes/{requestId}/users/{openId}", userOutcomes::show);
    }).start(config.httpPort());
    return new IngestApi(http, List.copyOf(declared), producer, admin, redis, weChat, uploadLimiter, () -> {
      heartbeat.close();
      callbackLoop.shutdownNow();
      templateLoop.shutdownNow();
      quotaLoop.shutdownNow();
      callbacks.close();
      audit.close(); // its queued publishes before the producer closes
    });
  }

  public int port() {
    return http.port();
  }

  @Override
  public void close() {
    http.stop();
    try {
      callbacks.close();
    } catch (Exception e) {
      Thread.currentThread().interrupt();
    }
    uploadLimiter.close();
    producer.close(Duration.ofSeconds(10));
    admin.close();
    redis.close();
    weChat.close();
  }
}
