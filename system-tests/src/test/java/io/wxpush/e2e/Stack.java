package io.wxpush.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.wxpush.config.Env;
import io.wxpush.redis.RedisEndpoint;
import io.wxpush.credentials.Credential;
import io.wxpush.credentials.CredentialKind;
import io.wxpush.credentials.CredentialPool;
import io.wxpush.user.UserRef;
import io.wxpush.ingest.IngestApi;
import io.wxpush.ingest.IngestConfig;
import io.wxpush.redis.RedisKeys;
import io.wxpush.sim.SimConfig;
import io.wxpush.sim.SimTemplate;
import io.wxpush.sim.WeChatSim;
import io.wxpush.testkit.ApiClient;
import io.wxpush.testkit.JarProcess;
import io.wxpush.testkit.TestEnv;
import io.wxpush.worker.PushWorker;
import io.wxpush.worker.WorkerConfig;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import io.wxpush.push.PushId;
import io.wxpush.push.PushStatusStore;
import io.wxpush.redis.RedisConnections;
import io.wxpush.policy.PolicyStore;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;
import java.util.LinkedHashMap;
import org.awaitility.Awaitility;
import redis.clients.jedis.UnifiedJedis;

/**
 * The whole system in this JVM for one test: wechat-sim, ingest-api and push-workers on real
 * Kafka and Redis, each on a random port, with the test's own topic and key prefixes.
 */
final class Stack implements AutoCloseable {
  static final String APP = "wxapp1";
  static final String APP_SECRET = "app-secret-for-tests-1";
  static final String SIGNING_KEY = "signing-key-for-tests-0123456789abcdef";
  static final String API_KEY = "push-api-key-for-tests-0123456789";

  final TestEnv env;
  final WeChatSim sim;
  final IngestApi api;
  final List<PushWorker> workers = new ArrayList<>();
  final ApiClient client;
  final String redisUrl;
  /** The overrides the stack was started with; workers get them too. */
  private final Map<String, String> defaults;

  private Stack(TestEnv env, WeChatSim sim, IngestApi api, Map<String, String> defaults, String redisUrl) {
    this.env = env;
    this.defaults = Map.copyOf(defaults);
    this.redisUrl = redisUrl;
    this.sim = sim;
    this.api = api;
    this.client = ApiClient.local(api.port());
  }

  static Stack start(TestEnv env, Map<String, String> extra) {
    return start(env, extra, b -> b);
  }

  /**
   * The stack, its sim built by {@code sim} on top of the default: {@link #APP} and the subscribe
   * templates the tests push ({@code TPL_SUB} and {@code TPL_OTHER}, keyword {@code thing1}),
   * registered before ingest-api starts so its template registry lists them from its first load.
   */
  static Stack start(TestEnv env, Map<String, String> extra, UnaryOperator<SimConfig.Builder> sim) {
    return startWith(env, extra, sim.apply(SimConfig.builder().port(0).app(APP, APP_SECRET)
        .template(new SimTemplate(APP, "TPL_SUB", SimTemplate.Kind.SUBSCRIBE, List.of("thing1"), Set.of()))
        .template(new SimTemplate(APP, "TPL_OTHER", SimTemplate.Kind.SUBSCRIBE, List.of("thing1"), Set.of()))));
  }

  private static Stack startWith(TestEnv env, Map<String, String> extra, SimConfig.Builder simConfig) {
    WeChatSim sim = WeChatSim.start(simConfig.build());
    Map<String, String> vars = baseEnv(env, sim, extra);
    vars.put("HTTP_PORT", "0");
    IngestApi api = IngestApi.start(IngestConfig.read(new Env(vars)));
    return new Stack(env, sim, api, extra, vars.get("REDIS_URL"));
  }

  static Map<String, String> baseEnv(TestEnv env, WeChatSim sim, Map<String, String> extra) {
    Map<String, String> vars = new HashMap<>(env.processEnv(Map.of(
        "WECHAT_APPS", APP + ":" + APP_SECRET,
        "WECHAT_API_BASE", sim.baseUrl(),
        "SESSION_SIGNING_KEY", SIGNING_KEY,
        "PUSH_API_KEYS", API_KEY,
        // every simulated user logs in from this one address; the limit has tests of its own
        "SESSIONS_PER_ADDRESS_PER_MINUTE", "1000000",
        "KAFKA_TOPIC_PARTITIONS", "4")));
    vars.putAll(extra);
    return vars;
  }

  /** Starts a push-worker in this JVM with the given roles. */
  PushWorker worker(String roles, Map<String, String> extra) {
    Map<String, String> merged = new HashMap<>(defaults);
    merged.putAll(extra);
    Map<String, String> vars = baseEnv(env, sim, merged);
    vars.put("HTTP_PORT", "0");
    vars.put("WORKER_ROLES", roles);
    PushWorker worker = PushWorker.start(WorkerConfig.read(new Env(vars)));
    workers.add(worker);
    return worker;
  }

  /** Starts a sender-only push-worker as a jar process on {@code port} (the caller closes it). */
  JarProcess senderProcess(int port, Map<String, String> extra) throws IOException {
    Map<String, String> vars = new HashMap<>(baseEnv(env, sim, extra));
    vars.put("WORKER_ROLES", "sender");
    vars.put("HTTP_PORT", Integer.toString(port));
    return JarProcess.start(JarProcess.siblingJar("push-worker"), vars);
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /** True when the process on {@code port} answers {@code /health} with 200. */
  static boolean healthy(int port) {
    return ApiClient.local(port).healthy();
  }

  /** Seeds {@code forms} with {@code formIdsEach} form_ids and {@code prepays} with one prepay_id each; returns both lists in one. */
  List<String> seedFormAndPrepayUsers(List<String> forms, int formIdsEach, List<String> prepays) {
    seedFormIds(forms, formIdsEach, System.currentTimeMillis());
    seedPrepayIds(prepays, System.currentTimeMillis());
    List<String> everyone = new ArrayList<>(forms);
    everyone.addAll(prepays);
    return everyone;
  }

  /** Logs a simulated user in through the API; returns the session token. */
  String login(String openId) {
    // 503 (Redis or Kafka away) is retried every 500 ms, as the client library would
    AtomicReference<String> token = new AtomicReference<>();
    Awaitility.await("login of " + openId).atMost(Duration.ofSeconds(60))
        .pollInSameThread().pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(500)).until(() -> {
          ApiClient.Reply reply = client.createSession(APP, sim.mintLoginCode(APP, openId));
          if (reply.status() == 200) token.set(reply.body().get("token").asText());
          else if (reply.status() != 503) throw new AssertionError("login failed: " + reply.status() + " " + reply.body());
          return token.get() != null;
        });
    return token.get();
  }

  /** Opens a Redis client on the test's Redis (the caller closes it). */
  redis.clients.jedis.UnifiedJedis redis() {
    return io.wxpush.redis.RedisConnections.open(io.wxpush.redis.RedisEndpoint.parse(redisUrl), 8);
  }

  /** A credential pool on the test's keys, with the system clock (as the workers use). */
  CredentialPool pool(UnifiedJedis redis) {
    return new CredentialPool(redis, new RedisKeys(env.redisKeyPrefix()),
        Clock.systemUTC(), 200);
  }

  /** Gives each user {@code perUser} sim form_ids, straight into the pools (the upload path has its own tests). */
  void seedFormIds(List<String> openIds, int perUser, long collectedAt) {
    Map<String, List<String>> minted = sim.mintFormIdsBulk(APP, openIds, perUser);
    List<Credential> batch = new ArrayList<>();
    minted.forEach((openId, formIds) -> formIds.forEach(f -> batch.add(
        Credential.of(APP, openId, CredentialKind.FORM_ID, f, null, collectedAt))));
    try (var redis = redis()) {
      pool(redis).addAll(batch);
    }
  }

  /** Gives each user one sim prepay_id (three sends), straight into the pools. */
  void seedPrepayIds(List<String> openIds, long collectedAt) {
    List<Credential> batch = new ArrayList<>();
    for (String openId : openIds) {
      batch.add(Credential.of(APP, openId, CredentialKind.PREPAY_ID,
          sim.mintPrepayId(APP, openId), null, collectedAt));
    }
    try (var redis = redis()) {
      pool(redis).addAll(batch);
    }
  }

  /** Gives each user one grant of the subscribe template {@code templateId}, in the sim and in the pools. */
  void seedGrants(List<String> openIds, String templateId) {
    List<Credential> batch = new ArrayList<>();
    for (String openId : openIds) {
      batch.add(Credential.of(APP, openId, CredentialKind.SUBSCRIPTION,
          sim.grantSubscription(APP, openId, templateId), templateId, System.currentTimeMillis()));
    }
    try (var redis = redis()) {
      pool(redis).addAll(batch);
    }
  }

  /** Sends each user has left in the form_id/prepay_id pool. */
  int sendsLeft(String openId) {
    try (var redis = redis()) {
      return pool(redis).inspect(new io.wxpush.user.UserRef(APP, openId)).sendsLeft();
    }
  }

  /** Each user's final outcome code of a push of {@link #APP} ({@code s}, {@code n}, {@code f}, {@code u}), as the senders recorded it. */
  Map<String, String> userOutcomes(String requestId, Collection<String> openIds) {
    RedisKeys keys = new RedisKeys(env.redisKeyPrefix());
    Map<String, String> found = new TreeMap<>();
    try (var redis = redis()) {
      String buckets = redis.hget(keys.pushStatus(APP, requestId), "buckets");
      if (buckets == null) return found;
      for (String openId : openIds) {
        int bucket = RedisKeys.bucketOf(openId, Integer.parseInt(buckets));
        String code = redis.hget(keys.pushOutcomes(APP, requestId, bucket), RedisKeys.outcomeField(openId));
        if (code != null) found.put(openId, code.substring(0, 1)); // 'u:<reason>' is unknown
      }
    }
    return found;
  }


  /**
   * Logs each user in and uploads {@code perUser} fresh sim form_ids through the API, retrying
   * what is refused with 503 (as the client library does). Returns openId → form_ids acknowledged.
   */
  Map<String, Integer> upload(List<String> openIds, int perUser) throws Exception {
    return upload(openIds, perUser, new ConcurrentHashMap<>(), new AtomicInteger());
  }

  /**
   * As {@link #upload(List, int)}, filling {@code acked} as uploads are answered 202 (so another
   * thread can watch the progress) and counting the 503 answers in {@code refused}.
   */
  Map<String, Integer> upload(List<String> openIds, int perUser, Map<String, Integer> acked,
      AtomicInteger refused) throws Exception {
    try (var threads = Executors.newFixedThreadPool(16)) {
      List<Future<?>> futures = new ArrayList<>();
      for (String openId : openIds) {
        futures.add(threads.submit(() -> {
          String token = login(openId);
          List<Map<String, Object>> items = new ArrayList<>();
          for (String f : sim.mintFormIds(APP, openId, perUser)) {
            items.add(ApiClient.credential("form_id", f, System.currentTimeMillis()));
          }
          Awaitility.await("upload of " + openId).atMost(Duration.ofSeconds(120))
              .pollInSameThread().pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(500)).until(() -> {
                ApiClient.Reply reply = client.uploadCredentials(token, items);
                if (reply.status() == 202) {
                  acked.put(openId, reply.body().get("accepted").asInt());
                  return true;
                }
                if (reply.status() != 503) throw new AssertionError("upload refused: " + reply.status() + " " + reply.body());
                refused.incrementAndGet();
                return false;
              });
          return null;
        }));
      }
      for (var f : futures) f.get();
    }
    return acked;
  }

  /** {@code n} openIds {@code prefix0}, {@code prefix1}, … */
  static List<String> users(String prefix, int n) {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) ids.add(prefix + i);
    return ids;
  }

  /** The push's status once it is {@code state}. */
  JsonNode awaitState(String requestId, String state) {
    return Awaitility.await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
        .until(() -> status(requestId), s -> state.equals(s.path("state").asText()));
  }

  /**
   * Waits out {@link PolicyStore#LOCAL_MS}, the bound within which every process sees a policy change
   * (nothing announces it: a bound, not a result, is waited for).
   */
  static void policySeenEverywhere() throws InterruptedException {
    Thread.sleep(PolicyStore.LOCAL_MS + 500);
  }

  /** A template-message push of {@link #APP} ({@code TPL_ORDER}, keyword1 "hello") to {@code audience}; {@code priority} null for normal. */
  static Map<String, Object> templatePush(String priority, Map<String, Object> audience) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("appId", APP);
    body.put("kind", "template");
    body.put("templateId", "TPL_ORDER");
    body.put("data", Map.of("keyword1", "hello"));
    body.put("audience", audience);
    if (priority != null) body.put("priority", priority);
    return body;
  }

  /** Holds for {@code quiet}: e.g. nothing more is delivered. */
  static void staysTrue(Duration quiet, Callable<Boolean> condition) {
    Awaitility.await().during(quiet).atMost(quiet.plusSeconds(5)).pollInterval(Duration.ofMillis(100)).until(condition);
  }

  /** Asks for a push through the API; returns its requestId. */
  String push(Map<String, Object> body) throws Exception {
    ApiClient.Reply reply = client.push(API_KEY, body);
    if (reply.status() != 202) throw new AssertionError("push refused: " + reply.status() + " " + reply.body());
    return reply.body().get("requestId").asText();
  }

  JsonNode status(String requestId) throws Exception {
    return client.pushStatus(API_KEY, requestId).body();
  }

  @Override
  public void close() {
    for (PushWorker w : workers) w.close();
    api.close();
    sim.close();
  }
}
