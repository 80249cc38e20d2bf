import io.wxpush.push.MessageIds;
import io.wxpush.redis.RedisKeys;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import redis.clients.jedis.UnifiedJedis;

/**
 * Bytes of Redis per sent subscribe message for the msgid → requestId map (BENCHMARKS.md §8): N messages
 * remembered through {@link MessageIds} as one hour's sends of one app, used_memory after minus
 * before, over N. Args: redis URL, N, requestId length. Deletes its keys after.
 */
public class MsgIdMemory {
  public static void main(String[] a) {
    try (UnifiedJedis r = new UnifiedJedis(URI.create(a[0]))) {
      int n = Integer.parseInt(a[1]);
      int idLength = Integer.parseInt(a[2]);
      String prefix = "msgidbench" + System.nanoTime() + ":";
      MessageIds ids = new MessageIds(r, new RedisKeys(prefix), Duration.ofHours(24), Clock.systemUTC());
      long before = used(r);
      for (int i = 0; i < n; i++) {
        String rid = String.valueOf(10 + i % 50);
        ids.remember("wxapp1", 3_000_000_000L + i * 7919L, "0".repeat(Math.max(0, idLength - rid.length())) + rid);
      }
      long after = used(r);
      System.out.printf("RESULT messages=%d requestId_chars=%d bytes_per_message=%.1f%n", n, idLength, (after - before) / (double) n);
      for (String k : r.keys(prefix + "*")) r.del(k);
    }
  }

  private static long used(UnifiedJedis r) {
    return Long.parseLong(r.info("memory").lines().filter(l -> l.startsWith("used_memory:")).findFirst().orElseThrow().split(":")[1].trim());
  }
}
