import io.wxpush.credentials.Credential;
import io.wxpush.credentials.CredentialKind;
import io.wxpush.credentials.CredentialPool;
import io.wxpush.push.Outcome;
import io.wxpush.push.PushId;
import io.wxpush.push.PushRun;
import io.wxpush.push.PushStatusStore;
import io.wxpush.push.UserOutcome;
import io.wxpush.redis.RedisBatcher;
import io.wxpush.redis.RedisConnections;
import io.wxpush.redis.RedisEndpoint;
import io.wxpush.redis.RedisKeys;
import io.wxpush.user.UserRef;
import io.wxpush.worker.sender.SendLedger;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import redis.clients.jedis.UnifiedJedis;

/**
 * The send path's Redis work alone (bench/redis-scripts.sh): USERS users with PER_USER form_ids each,
 * then for every user the happy path's ledger steps (attempt with its claim, settle sent) and the
 * push's outcome — per user (push-outcome.lua) or, with "batched", 64 users per call
 * (push-outcomes.lua, as a sender's OutcomeBatches) — from 512 virtual threads through one
 * RedisBatcher, as a sender sends them, but with no WeChat call, Kafka or fan-out between: Redis's
 * CPU per send with its sockets busy. Runs against whichever push-worker jar is on the class path
 * (the build before a change, or this one). Prints one JSON line: commands and CPU per send.
 *   java -cp <build>:<push-worker.jar> SendScripts redisUrl prefix users perUser batched|single
 */
public class SendScripts {
  public static void main(String[] a) throws Exception {
    String url = a[0], prefix = a[1], app = "wxbench";
    int users = Integer.parseInt(a[2]), perUser = Integer.parseInt(a[3]);
    boolean batched = a[4].equals("batched");
    RedisKeys keys = new RedisKeys(prefix);
    Clock clock = Clock.systemUTC();
    try (UnifiedJedis redis = RedisConnections.open(RedisEndpoint.parse(url), 16);
        RedisBatcher batcher = new RedisBatcher(redis, 4, 256)) {
      CredentialPool pool = new CredentialPool(redis, keys, clock, 200);
      List<Credential> batch = new ArrayList<>();
      long collected = clock.millis() - 3_600_000L;
      for (int u = 0; u < users; u++) {
        for (int i = 0; i < perUser; i++) {
          batch.add(Credential.of(app, openId(u), CredentialKind.FORM_ID, String.format("%032x", (long) u * 8 + i), null, collected + i));
        }
        if (batch.size() >= 5_000) {
          pool.addAll(batch);
          batch.clear();
        }
      }
      pool.addAll(batch);
      SendLedger ledger = new SendLedger(redis, batcher, keys, clock, Duration.ofSeconds(60), Duration.ofHours(1));
      PushStatusStore status = new PushStatusStore(redis, batcher, keys, clock);
      PushId push = new PushId(app, "bench-" + System.nanoTime());
      String statusKey = keys.pushStatus(app, push.requestId());
      redis.hset(statusKey, Map.of("state", "sending", "appId", app, "targets", Integer.toString(users), "fanoutDone", "1"));
      redis.pexpire(statusKey, 3_600_000L);
      PushRun run = new PushRun("b1", clock.millis() + 3_600_000L, PushRun.bucketsFor(users));
      // the first user's send alone, so every script is loaded before the measured part
      send(ledger, status, push, run, openId(0), app, batched, new ConcurrentLinkedQueue<>(), true);
      Map<String, Long> before = stats(redis);
      ConcurrentLinkedQueue<UserOutcome> pending = new ConcurrentLinkedQueue<>();
      AtomicInteger next = new AtomicInteger(1);
      long t0 = System.nanoTime();
      try (var threads = Executors.newVirtualThreadPerTaskExecutor()) {
        for (int t = 0; t < 512; t++) {
          threads.submit(() -> {
            for (int u; (u = next.getAndIncrement()) < users; ) send(ledger, status, push, run, openId(u), app, batched, pending, false);
            return null;
          });
        }
      }
      if (batched && !pending.isEmpty()) flush(status, push, run, pending);
      double seconds = (System.nanoTime() - t0) / 1e9;
      Map<String, Long> after = stats(redis);
      int n = users - 1;
      long calls = 0;
      for (var e : after.entrySet()) if (e.getKey().startsWith("calls.")) calls += e.getValue() - before.getOrDefault(e.getKey(), 0L);
      long scripts = after.getOrDefault("calls.evalsha", 0L) - before.getOrDefault("calls.evalsha", 0L);
      System.out.printf("{\"sends\": %d, \"per_s\": %.0f, \"commands\": %.2f, \"scripts\": %.3f, \"redis_us\": %.2f, \"sent\": %s}%n", n, n / seconds,
          (double) calls / n, (double) scripts / n, (after.get("cpu") - before.get("cpu")) / (double) n, redis.hget(statusKey, "sent"));
      redis.del(statusKey);
    }
  }

  private static String openId(int u) {
    return String.format("o%020d%07d", 0, u);
  }

  private static void send(SendLedger ledger, PushStatusStore status, PushId push, PushRun run, String openId, String app, boolean batched,
      ConcurrentLinkedQueue<UserOutcome> pending, boolean alone) {
    UserRef user = new UserRef(app, openId);
    String owner = "d" + Thread.currentThread().threadId() + "-" + openId.hashCode();
    ledger.attempt(user, run, null, owner, Duration.ofSeconds(30), true);
    ledger.settle(user, run, null, owner, SendLedger.Settle.SENT, null);
    if (!batched) {
      status.recordOutcome(push, run, openId, Outcome.SENT, null, 0, Duration.ofHours(1));
      return;
    }
    pending.add(new UserOutcome(openId, Outcome.SENT, null, 0));
    if (alone || pending.size() >= 64) flush(status, push, run, pending);
  }

  private static void flush(PushStatusStore status, PushId push, PushRun run, ConcurrentLinkedQueue<UserOutcome> pending) {
    List<UserOutcome> batch = new ArrayList<>(64);
    for (UserOutcome o; batch.size() < 64 && (o = pending.poll()) != null; ) batch.add(o);
    if (!batch.isEmpty()) status.recordOutcomes(push, run, batch, Duration.ofHours(1), b -> true, Duration.ofSeconds(5));
  }

  /** commandstats calls per command ("calls.<name>") and used CPU, µs ("cpu"). */
  private static Map<String, Long> stats(UnifiedJedis redis) {
    Map<String, Long> out = new java.util.HashMap<>();
    for (String line : redis.info("commandstats").split("\r?\n")) {
      if (!line.startsWith("cmdstat_")) continue;
      String name = line.substring(8, line.indexOf(':'));
      String calls = line.substring(line.indexOf("calls=") + 6);
      out.put("calls." + name, Long.parseLong(calls.substring(0, calls.indexOf(','))));
    }
    double cpu = 0;
    for (String line : redis.info("cpu").split("\r?\n")) {
      if (line.startsWith("used_cpu_sys:") || line.startsWith("used_cpu_user:")) cpu += Double.parseDouble(line.substring(line.indexOf(':') + 1));
    }
    out.put("cpu", (long) (cpu * 1e6));
    return out;
  }
}
