import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.wxpush.redis.RedisEndpoint;
import io.wxpush.credentials.Credential;
import io.wxpush.credentials.CredentialKind;
import io.wxpush.credentials.CredentialPool;
import io.wxpush.metrics.WxpushMeter;
import io.wxpush.redis.RedisKeys;
import io.wxpush.json.Json;
import io.wxpush.kafka.KafkaClients;
import io.wxpush.redis.RedisConnections;
import io.wxpush.worker.credentials.PoolSweeper;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.UnifiedJedis;
import com.sun.management.OperatingSystemMXBean;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * The benchmarks' helper, run against the built jars (compiled by bench/lib.sh). Subcommands:
 *
 * <pre>
 *   tokens KEY APP USERS OUT                      HS256 session tokens, one per line (user u0000000…)
 *   records APP N OUT                             N credential records as the API publishes them, one JSON per line
 *   produce BOOTSTRAP TOPIC APP USERS PER_USER    distinct credential records, published acks=all (sink input)
 *   seed-pools REDIS_URL PREFIX APP LINES         "openId formId" lines straight into the pools (CredentialPool.addAll)
 *   seed-long-term REDIS_URL PREFIX APP TEMPLATE USERS   one long-term permission for each of the budget's users
 *                                                 (openIds as bench/redis-budget.sh names them), through CredentialPool.addAll
 *   sweep REDIS_URL PREFIX APP                     one pass of the push-worker's PoolSweeper over every shard, timed
 *   article REDIS_HOST REDIS_PORT PREFIX SIM APP SECRET TEMPLATE LINES
 *                                                 the original article's loop over the users in LINES
 * </pre>
 */
public final class BenchTool {
  private static final long DAY = Duration.ofDays(1).toMillis();

  public static void main(String[] a) throws Exception {
    switch (a[0]) {
      case "tokens" -> tokens(a[1], a[2], Integer.parseInt(a[3]), Path.of(a[4]));
      case "records" -> records(a[1], Integer.parseInt(a[2]), Path.of(a[3]));
      case "produce" -> produce(a[1], a[2], a[3], Integer.parseInt(a[4]), Integer.parseInt(a[5]));
      case "seed-pools" -> seedPools(a[1], a[2], a[3], Path.of(a[4]));
      case "seed-long-term" -> seedLongTerm(a[1], a[2], a[3], a[4], Integer.parseInt(a[5]));
      case "sweep" -> sweep(a[1], a[2], a[3]);
      case "delete-topics" -> deleteTopics(a[1], a[2]);
      case "cluster-pipelines" -> clusterPipelines(a[1], Integer.parseInt(a[2]), Integer.parseInt(a[3]), Integer.parseInt(a[4]));
      case "article" -> article(a[1], Integer.parseInt(a[2]), a[3], a[4], a[5], a[6], a[7], Path.of(a[8]));
      default -> throw new IllegalArgumentException("unknown subcommand " + a[0]);
    }
  }

  static String user(int i) {
    return String.format("u%07d", i);
  }

  static void tokens(String key, String app, int users, Path out) throws Exception {
    MACSigner signer = new MACSigner(key.getBytes(StandardCharsets.UTF_8));
    long now = System.currentTimeMillis();
    try (BufferedWriter w = Files.newBufferedWriter(out)) {
      for (int i = 0; i < users; i++) {
        JWTClaimsSet claims = new JWTClaimsSet.Builder().issuer("wxpush").subject(user(i)).audience(app)
            .issueTime(new Date(now)).expirationTime(new Date(now + DAY)).build();
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
        jwt.sign(signer);
        w.write(jwt.serialize());
        w.newLine();
      }
    }
  }

  /** A credential like the ones bench/ingest.lua uploads (value of the same length). */
  static Credential credential(String app, int user, long n, long collectedAt) {
    return Credential.of(app, user(user), CredentialKind.FORM_ID, String.format("fid-%07d-%012d", user, n), null, collectedAt);
  }

  static void records(String app, int n, Path out) throws Exception {
    long now = System.currentTimeMillis();
    try (BufferedWriter w = Files.newBufferedWriter(out)) {
      for (int i = 0; i < n; i++) {
        w.write(new String(Json.write(credential(app, i % 10_000, i, now)), StandardCharsets.UTF_8));
        w.newLine();
      }
    }
  }

  static void produce(String bootstrap, String topic, String app, int users, int perUser) throws Exception {
    long now = System.currentTimeMillis() - DAY;
    AtomicLong failed = new AtomicLong();
    long t0 = System.nanoTime();
    try (KafkaProducer<String, byte[]> p = KafkaClients.durableProducer(bootstrap, "bench-produce", 120_000)) {
      for (int u = 0; u < users; u++) {
        for (int k = 0; k < perUser; k++) {
          Credential c = credential(app, u, (long) u * perUser + k, now);
          p.send(new ProducerRecord<>(topic, c.kafkaKey(), Json.write(c)), (md, e) -> {
            if (e != null) failed.incrementAndGet();
          });
        }
      }
      p.flush();
    }
    if (failed.get() > 0) throw new IllegalStateException(failed.get() + " records failed");
    System.out.printf("produced %d records in %.1f s%n", (long) users * perUser, (System.nanoTime() - t0) / 1e9);
  }

  /** One pass of the sweeper over all 16384 shards of APP (this process owning every partition), with its time and CPU. */
  static void sweep(String redisUrl, String prefix, String app) throws Exception {
    try (UnifiedJedis redis = RedisConnections.open(RedisEndpoint.parse(redisUrl), 4)) {
      CredentialPool pool = new CredentialPool(redis, new RedisKeys(prefix), Clock.systemUTC(), 200);
      var registry = new SimpleMeterRegistry();
      var all = new PoolSweeper.Ownership(Set.of(0), 1);
      var sweeper = new PoolSweeper(pool, Set.of(app), () -> all, registry);
      var threads = ManagementFactory.getThreadMXBean();
      long cpu0 = threads.getCurrentThreadCpuTime();
      long t0 = System.nanoTime();
      var pass = sweeper.sweep();
      double s = (System.nanoTime() - t0) / 1e9;
      double cpuMs = (threads.getCurrentThreadCpuTime() - cpu0) / 1e6;
      var perShard = registry.get(WxpushMeter.SWEEP_SHARD.meterName()).timer();
      System.out.printf("RESULT sweep shards=%d users=%d expired=%d left_index=%d seconds=%.1f users/s=%.0f"
          + " sweeper_cpu_ms_per_1k_users=%.1f shard_mean_ms=%.2f shard_max_ms=%.1f%n",
          pass.shards(), pass.users(), pass.dropped(), pass.leftIndex(), s, pass.users() / s,
          cpuMs * 1000 / Math.max(1, pass.users()), perShard.mean(TimeUnit.MILLISECONDS),
          perShard.max(TimeUnit.MILLISECONDS));
    }
  }

  static void seedPools(String redisUrl, String prefix, String app, Path lines) throws Exception {
    long collectedAt = System.currentTimeMillis() - DAY;
    long t0 = System.nanoTime();
    long n = 0;
    try (UnifiedJedis redis = RedisConnections.open(RedisEndpoint.parse(redisUrl), 4);
        BufferedReader r = Files.newBufferedReader(lines)) {
      CredentialPool pool = new CredentialPool(redis, new RedisKeys(prefix), Clock.systemUTC(), 200);
      List<Credential> batch = new ArrayList<>(5_000);
      String line;
      while ((line = r.readLine()) != null) {
        int sp = line.indexOf(' ');
        batch.add(Credential.of(app, line.substring(0, sp), CredentialKind.FORM_ID, line.substring(sp + 1), null, collectedAt));
        if (batch.size() == 5_000) {
          pool.addAll(batch);
          n += batch.size();
          batch.clear();
        }
      }
      pool.addAll(batch);
      n += batch.size();
    }
    System.out.printf("seeded %d form_ids into pools in %.1f s%n", n, (System.nanoTime() - t0) / 1e9);
  }

  static void seedLongTerm(String redisUrl, String prefix, String app, String template, int users) throws Exception {
    long collectedAt = System.currentTimeMillis() - DAY;
    long t0 = System.nanoTime();
    try (UnifiedJedis redis = RedisConnections.open(RedisEndpoint.parse(redisUrl), 4)) {
      CredentialPool pool = new CredentialPool(redis, new RedisKeys(prefix), Clock.systemUTC(), 200, CredentialPool.DEFAULT_GRANT_TEMPLATES,
          n -> { }, a -> 0, (a, t) -> t.equals(template));
      List<Credential> batch = new ArrayList<>(5_000);
      for (int i = 0; i < users; i++) {
        batch.add(Credential.of(app, String.format("o%020d%07d", 0, i), CredentialKind.SUBSCRIPTION, "lt-" + i, template, collectedAt));
        if (batch.size() == 5_000) {
          pool.addAll(batch);
          batch.clear();
        }
      }
      pool.addAll(batch);
    }
    System.out.printf("seeded %d long-term permissions in %.1f s%n", users, (System.nanoTime() - t0) / 1e9);
  }

  /**
   * The original article's sender, faithfully: every openId loaded into memory first, then one
   * thread, one user after another: LRANGE the user's list of "formId:expiresAt" entries, take
   * the first live one, LTRIM the list past it (not atomic with the read), send, next user.
   * Seeding the lists is not timed. Prints the sends/s of the loop.
   */
  static void article(String host, int port, String prefix, String sim, String app, String secret, String template,
      Path lines) throws Exception {
    long expires = System.currentTimeMillis() + 6 * DAY;
    Map<String, List<String>> byUser = new LinkedHashMap<>();
    for (String line : Files.readAllLines(lines)) {
      int sp = line.indexOf(' ');
      byUser.computeIfAbsent(line.substring(0, sp), k -> new ArrayList<>()).add(line.substring(sp + 1));
    }
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    String tokenJson = http.send(HttpRequest.newBuilder(URI.create(sim + "/cgi-bin/token?grant_type=client_credential&appid="
        + app + "&secret=" + secret)).build(), HttpResponse.BodyHandlers.ofString()).body();
    String token = Json.MAPPER.readTree(tokenJson).get("access_token").asText();
    try (Jedis redis = new Jedis(host, port)) {
      Pipeline p = redis.pipelined();
      for (var e : byUser.entrySet()) {
        p.sadd(prefix + "article:users", e.getKey());
        for (String f : e.getValue()) p.rpush(prefix + "article:formids:" + e.getKey(), f + ":" + expires);
      }
      p.sync();

      long t0 = System.nanoTime();
      List<String> openIds = new ArrayList<>(redis.smembers(prefix + "article:users")); // all in memory, as the article does
      long sent = 0;
      long other = 0;
      for (String openId : openIds) {
        String key = prefix + "article:formids:" + openId;
        List<String> entries = redis.lrange(key, 0, -1);
        String formId = null;
        int used = 0;
        long now = System.currentTimeMillis();
        for (String entry : entries) {
          used++;
          int c = entry.lastIndexOf(':');
          if (Long.parseLong(entry.substring(c + 1)) > now) {
            formId = entry.substring(0, c);
            break;
          }
        }
        redis.ltrim(key, used, -1);
        if (formId == null) continue;
        String body = "{\"touser\":\"" + openId + "\",\"template_id\":\"" + template + "\",\"page\":\"pages/index\",\"form_id\":\""
            + formId + "\",\"data\":{\"keyword1\":{\"value\":\"order 42 shipped\"},\"keyword2\":{\"value\":\"2024-05-01 12:30\"}}}";
        HttpResponse<String> reply = http.send(HttpRequest.newBuilder(URI.create(sim + "/cgi-bin/message/wxopen/template/send?access_token=" + token))
            .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
            HttpResponse.BodyHandlers.ofString());
        if (reply.statusCode() == 200 && reply.body().contains("\"errcode\":0")) sent++;
        else other++;
      }
      double s = (System.nanoTime() - t0) / 1e9;
      System.out.printf("RESULT article sent=%d other=%d elapsed=%.2f sends_per_s=%.2f%n", sent, other, s, sent / s);
      Pipeline d = redis.pipelined();
      for (String openId : openIds) d.del(prefix + "article:formids:" + openId);
      d.del(prefix + "article:users");
      d.sync();
    }
  }

  /**
   * Times {@code syncs} pipeline syncs of {@code keys} INCRs on keys spread over the cluster's
   * slots, with Jedis's own {@code pipelined()} (a thread pool per sync that spans nodes) and with
   * {@link RedisConnections#pipelined} (a shared virtual-thread executor), alternating, {@code
   * rounds} times; prints wall and CPU time per sync for each and their ratios per round.
   */
  static void clusterPipelines(String url, int syncs, int keys, int rounds) throws Exception {
    var os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    try (UnifiedJedis redis = RedisConnections.open(RedisEndpoint.parse(url), 8)) {
      String[] names = new String[keys];
      for (int i = 0; i < keys; i++) names[i] = "bench:cp:{" + i + "}";
      Supplier<AbstractPipeline> jedisOwn = redis::pipelined;
      Supplier<AbstractPipeline> shared = () -> RedisConnections.pipelined(redis);
      for (int warm = 0; warm < 2; warm++) {
        timeSyncs(jedisOwn, names, syncs / 4, os);
        timeSyncs(shared, names, syncs / 4, os);
      }
      for (int round = 1; round <= rounds; round++) {
        double[] own = timeSyncs(jedisOwn, names, syncs, os);
        double[] sh = timeSyncs(shared, names, syncs, os);
        System.out.printf("round %d: jedis pipelined(): %.1f µs wall, %.1f µs CPU per sync | shared executor: %.1f µs wall, %.1f µs CPU per sync"
            + " | ratio wall %.2f CPU %.2f%n", round, own[0], own[1], sh[0], sh[1], sh[0] / own[0], sh[1] / own[1]);
      }
      for (String k : names) redis.del(k);
    }
  }

  private static double[] timeSyncs(Supplier<AbstractPipeline> pipelines, String[] keys, int syncs,
      OperatingSystemMXBean os) {
    long cpu0 = os.getProcessCpuTime();
    long t0 = System.nanoTime();
    for (int i = 0; i < syncs; i++) {
      try (var p = pipelines.get()) {
        for (String k : keys) p.incr(k);
        p.sync();
      }
    }
    return new double[] {(System.nanoTime() - t0) / 1e3 / syncs, (os.getProcessCpuTime() - cpu0) / 1e3 / syncs};
  }

  /** Deletes every topic whose name starts with {@code prefix} (a bench run's own topics). */
  static void deleteTopics(String bootstrap, String prefix) throws Exception {
    try (var admin = KafkaClients.admin(bootstrap, "bench-cleanup")) {
      List<String> ours = admin.listTopics().names().get().stream().filter(t -> t.startsWith(prefix)).toList();
      if (!ours.isEmpty()) admin.deleteTopics(ours).all().get();
      System.out.printf("deleted %d topics%n", ours.size());
    }
  }
}
