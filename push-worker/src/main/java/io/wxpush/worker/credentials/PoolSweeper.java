package io.wxpush.worker.credentials;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.wxpush.credentials.CredentialPool;
import io.wxpush.redis.RedisKeys;
import io.wxpush.credentials.UserRef;
import io.wxpush.metrics.WxpushMeter;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drops expired form_ids and prepay_ids of every indexed user, and takes users with empty
 * pools out of the index, one page at a time. Claims purge on their own; the sweep keeps idle
 * users' pools and the broadcast index from filling with the dead. Run it periodically.
 */
public final class PoolSweeper implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(PoolSweeper.class);
  private static final int PAGE = 500;

  private final CredentialPool pool;
  private final Set<String> apps;
  private final Counter expired;

  public PoolSweeper(CredentialPool pool, Set<String> apps, MeterRegistry registry) {
    this.pool = pool;
    this.apps = Set.copyOf(apps);
    this.expired = WxpushMeter.CREDENTIALS_EXPIRED.counter(registry);
  }

  @Override
  public void run() {
    try {
      long dropped = 0;
      for (String appId : apps) {
        for (int shard = 0; shard < RedisKeys.INDEX_SHARDS; shard++) {
          String cursor = null;
          List<String> page;
          while (!(page = pool.indexPage(appId, null, shard, cursor, PAGE)).isEmpty()) {
            for (String openId : page) dropped += pool.purge(new UserRef(appId, openId));
            cursor = page.getLast();
          }
        }
      }
      expired.increment(dropped);
      log.info("event=sweep_done expired={}", dropped);
    } catch (RuntimeException e) {
      log.warn("event=sweep_failed error={}", e.toString());
    }
  }
}
