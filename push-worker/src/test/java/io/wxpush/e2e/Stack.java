package io.wxpush.e2e;

import io.wxpush.config.Env;
import io.wxpush.ingest.IngestApi;
import io.wxpush.ingest.IngestConfig;
import io.wxpush.sim.SimConfig;
import io.wxpush.sim.WeChatSim;
import io.wxpush.testkit.TestEnv;
import io.wxpush.worker.PushWorker;
import io.wxpush.worker.WorkerConfig;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The whole system in this JVM for one test: wechat-sim, ingest-api and push-workers on real
 * Kafka and Redis, each on a random port, with the test's own topic and key prefixes.
 */
final class Stack implements AutoCloseable {
  static final String APP = "wxapp1";
  static final String APP_SECRET = "app-secret-for-tests-1";
  static final String SIGNING_KEY = "signing-key-for-tests-0123456789abcdef";
  static final String API_KEY = "push-api-key-for-tests";

  final TestEnv env;
  final WeChatSim sim;
  final IngestApi api;
  final List<PushWorker> workers = new ArrayList<>();
  final ApiClient client;

  private Stack(TestEnv env, WeChatSim sim, IngestApi api) {
    this.env = env;
    this.sim = sim;
    this.api = api;
    this.client = new ApiClient("http://127.0.0.1:" + api.port());
  }

  static Stack start(TestEnv env, Map<String, String> extra) {
    WeChatSim sim = WeChatSim.start(SimConfig.builder().port(0).app(APP, APP_SECRET).build());
    Map<String, String> vars = baseEnv(env, sim, extra);
    vars.put("HTTP_PORT", "0");
    IngestApi api = IngestApi.start(IngestConfig.read(new Env(vars)));
    return new Stack(env, sim, api);
  }

  static Map<String, String> baseEnv(TestEnv env, WeChatSim sim, Map<String, String> extra) {
    Map<String, String> vars = new HashMap<>(env.processEnv(Map.of(
        "WECHAT_APPS", APP + ":" + APP_SECRET,
        "WECHAT_API_BASE", sim.baseUrl(),
        "SESSION_SIGNING_KEY", SIGNING_KEY,
        "PUSH_API_KEYS", API_KEY,
        "KAFKA_TOPIC_PARTITIONS", "4")));
    vars.putAll(extra);
    return vars;
  }

  /** Starts a push-worker in this JVM with the given roles. */
  PushWorker worker(String roles, Map<String, String> extra) {
    Map<String, String> vars = baseEnv(env, sim, extra);
    vars.put("HTTP_PORT", "0");
    vars.put("WORKER_ROLES", roles);
    PushWorker worker = PushWorker.start(WorkerConfig.read(new Env(vars)));
    workers.add(worker);
    return worker;
  }

  /** Logs a simulated user in through the API; returns the session token. */
  String login(String openId) throws Exception {
    String code = sim.mintLoginCode(APP, openId);
    ApiClient.Reply reply = client.post("/v1/sessions", null, Map.of("appId", APP, "code", code));
    if (reply.status() != 200) throw new AssertionError("login failed: " + reply.status() + " " + reply.body());
    return reply.body().get("token").asText();
  }

  @Override
  public void close() {
    for (PushWorker w : workers) w.close();
    api.close();
    sim.close();
  }
}
