package io.wxpush.ingest.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.wxpush.json.Json;
import io.wxpush.redis.RedisConnections;
import io.wxpush.redis.RedisEndpoint;
import io.wxpush.redis.RedisKeys;
import io.wxpush.testkit.RealServices;
import io.wxpush.testkit.TestEnv;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.params.XAddParams;

/** The recent audit trail in real Redis keeps to its budget: about {@link AuditLog#MAX_PER_APP} records an app, 30 days, a TTL. */
@ExtendWith(RealServices.class)
class AuditLogIT {
  private static AuditRecord record(String app, int i) {
    return new AuditRecord(System.currentTimeMillis(), app, "push.create", "r" + i, "55a4f540", "accepted");
  }

  @Test
  void anAppsTrailKeepsAboutItsLastTenThousandRecordsNewestFirstAndExpiresThirtyDaysAfterItsLastChange(TestEnv env) {
    RedisKeys keys = new RedisKeys(env.redisKeyPrefix());
    try (UnifiedJedis redis = RedisConnections.open(RedisEndpoint.parse(env.redisUrl()), 4)) {
      AuditLog log = new AuditLog(redis, keys);
      int n = AuditLog.MAX_PER_APP + 500;
      for (int i = 0; i < n; i++) log.append(record("wxa", i));

      // approximate trimming drops whole stream nodes (100 entries by default): a node's worth more may stay
      assertThat(redis.xlen(keys.audit("wxa"))).isBetween((long) AuditLog.MAX_PER_APP, AuditLog.MAX_PER_APP + 100L);
      assertThat(redis.pttl(keys.audit("wxa"))).isBetween(AuditLog.KEEP.minusMinutes(1).toMillis(), AuditLog.KEEP.toMillis());
      AuditLog.Page newest = log.page("wxa", null, 3);
      assertThat(newest.records()).extracting(AuditRecord::target).containsExactly("r" + (n - 1), "r" + (n - 2), "r" + (n - 3));
      assertThat(log.page("wxa", newest.nextCursor().orElseThrow(), 1).records()).extracting(AuditRecord::target).containsExactly("r" + (n - 4));
      assertThat(log.page("wxb", null, 3).records()).as("another app's trail").isEmpty();
      assertThat(log.page("wxb", null, 3).nextCursor()).isEmpty();
    }
  }

  @Test
  void aRecordOlderThanThirtyDaysIsNeverListed(TestEnv env) {
    RedisKeys keys = new RedisKeys(env.redisKeyPrefix());
    try (UnifiedJedis redis = RedisConnections.open(RedisEndpoint.parse(env.redisUrl()), 4)) {
      AuditLog log = new AuditLog(redis, keys);
      // a record written 31 days ago (by Redis's clock, which stamps the ids), of an app changed again today
      long old = System.currentTimeMillis() - Duration.ofDays(31).toMillis();
      redis.xadd(keys.audit("wxc"), XAddParams.xAddParams().id(new StreamEntryID(old, 0)),
          Map.of("r", Json.writeString(record("wxc", 0).toJson())));
      log.append(record("wxc", 1));
      AuditLog.Page page = log.page("wxc", null, 50);
      assertThat(page.records()).extracting(AuditRecord::target).containsExactly("r1");
      assertThat(page.nextCursor()).isEmpty();
    }
  }
}
