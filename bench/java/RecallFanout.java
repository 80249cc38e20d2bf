import io.wxpush.credentials.Credential;
import io.wxpush.credentials.CredentialKind;
import io.wxpush.credentials.CredentialPool;
import io.wxpush.credentials.UserIndex;
import io.wxpush.redis.RedisKeys;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * The recall fan-out's read path at scale (BENCHMARKS.md §9): N users in one app's form_id index, R of them
 * holding a credential collected 6.5 days ago (expiring within a day), the rest fresh. Reads the
 * recall audience {@code expiringWithin: "1d"} page by page as the fan-out does
 * ({@link CredentialPool#expiringPageAcross}, 500 per page) and, side by side in the same run, the
 * whole index as a broadcast does ({@link CredentialPool#indexPageAcross}): wall time, this thread's
 * CPU, Redis commands (INFO total_commands_processed) and users read. Args: redis URL, N, R.
 * Deletes its keys after.
 */
public class RecallFanout {
  private static final String APP = "wxapp1";
  private static final int PAGE = 500;

  public static void main(String[] a) {
    int n = Integer.parseInt(a[1]);
    int recall = Integer.parseInt(a[2]);
    String prefix = "recallbench" + System.nanoTime() + ":";
    try (UnifiedJedis r = new UnifiedJedis(URI.create(a[0]))) {
      CredentialPool pool = new CredentialPool(r, new RedisKeys(prefix), Clock.systemUTC(), 200);
      long now = System.currentTimeMillis();
      long old = now - Duration.ofHours(156).toMillis();
      int every = n / recall;
      List<Credential> batch = new ArrayList<>(5000);
      long seedStart = System.nanoTime();
      for (int i = 0; i < n; i++) {
        String openId = String.format("oRecall%09d", i);
        batch.add(Credential.of(APP, openId, CredentialKind.FORM_ID, "f" + i, null, i % every == 0 ? old : now));
        if (batch.size() == 5000) {
          pool.addAll(batch);
          batch.clear();
        }
      }
      if (!batch.isEmpty()) pool.addAll(batch);
      System.out.printf("seeded users=%d expiring=%d in %.1f s%n", n, n / every, (System.nanoTime() - seedStart) / 1e9);

      long by = (now + Duration.ofDays(1).toMillis()) / 1000;
      for (int round = 1; round <= 3; round++) { // the first round warms the JIT and Redis's caches
        Measure count = measure(r, () -> pool.index().expiringCount(APP, by));
        Measure recallRead = measure(r, () -> {
          long found = 0;
          int shard = 0;
          String after = null;
          while (true) {
            UserIndex.ExpiringPage page = pool.index().expiringPageAcross(APP, shard, after, by, PAGE);
            found += page.users().size();
            if (page.read() < PAGE) return found;
            shard = page.cursor().shard();
            after = page.cursor().openId();
          }
        });
        Measure broadcastRead = measure(r, () -> {
          long found = 0;
          int shard = 0;
          String after = null;
          while (true) {
            List<UserIndex.Indexed> page = pool.index().indexPageAcross(APP, null, shard, after, PAGE);
            found += page.size();
            if (page.size() < PAGE) return found;
            shard = page.getLast().shard();
            after = page.getLast().openId();
          }
        });
        System.out.printf("RESULT round=%d users=%d recall_users=%d recall_ms=%.0f recall_cpu_ms=%.0f recall_redis_commands=%d"
                + " | count_ms=%.0f count_commands=%d | broadcast_users=%d broadcast_ms=%.0f broadcast_cpu_ms=%.0f broadcast_redis_commands=%d"
                + " | time_ratio=%.3f cpu_ratio=%.3f%n",
            round, n, recallRead.result, recallRead.ms, recallRead.cpuMs, recallRead.commands, count.ms, count.commands, broadcastRead.result,
            broadcastRead.ms, broadcastRead.cpuMs, broadcastRead.commands, recallRead.ms / broadcastRead.ms, recallRead.cpuMs / broadcastRead.cpuMs);
      }
      cleanup(r, prefix);
    }
  }

  private record Measure(long result, double ms, double cpuMs, long commands) {}

  private static Measure measure(UnifiedJedis r, LongSupplier work) {
    long c0 = commands(r);
    long cpu0 = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
    long t0 = System.nanoTime();
    long result = work.getAsLong();
    double ms = (System.nanoTime() - t0) / 1e6;
    double cpu = (ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() - cpu0) / 1e6;
    long commands = commands(r) - c0 - 1; // less the INFO that read it
    return new Measure(result, ms, cpu, commands);
  }

  private static long commands(UnifiedJedis r) {
    return Long.parseLong(r.info("stats").lines().filter(l -> l.startsWith("total_commands_processed:")).findFirst().orElseThrow()
        .split(":")[1].trim());
  }

  private static void cleanup(UnifiedJedis r, String prefix) {
    String cursor = ScanParams.SCAN_POINTER_START;
    ScanParams match = new ScanParams().match(prefix + "*").count(10_000);
    do {
      ScanResult<String> page = r.scan(cursor, match);
      if (!page.getResult().isEmpty()) r.unlink(page.getResult().toArray(String[]::new));
      cursor = page.getCursor();
    } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
  }
}
