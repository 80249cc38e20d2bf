package io.wxpush.worker.credentials;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.wxpush.credentials.CredentialPool;
import io.wxpush.metrics.WxpushMeter;
import io.wxpush.redis.RedisKeys;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sweep (BRIEF rule 9): drops what ran out in every indexed user's pools — expired form_ids and
 * prepay_ids, forgotten spent marks, final send-ledger entries past {@code LEDGER_GRACE} — and takes
 * users with nothing live out of the index (their keys then expire with their last leftover). It
 * is sharded: each credentials-role process sweeps only the index shards whose number, modulo the
 * credentials topic's partitions, is a partition its sink owns, so the fleet sweeps every shard once
 * and a rebalance moves the work with the partitions. One shard (about a hundred users) is a few
 * pipelines: bounded, and timed ({@code wxpush_sweep_shard_seconds}). Run it periodically.
 */
public final class PoolSweeper implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(PoolSweeper.class);

  /** Partitions of the credentials topic a sink owns, and how many the topic has. */
  public record Ownership(Set<Integer> partitions, int partitionCount) {
    public static final Ownership NONE = new Ownership(Set.of(), 1);

    /** True when this process sweeps index shard {@code shard}. */
    public boolean owns(int shard) {
      return partitions.contains(shard % partitionCount);
    }

    Ownership with(Collection<TopicPartition> assigned, int count) {
      Set<Integer> next = new HashSet<>(partitions);
      for (TopicPartition tp : assigned) next.add(tp.partition());
      return new Ownership(Set.copyOf(next), Math.max(1, count));
    }

    Ownership without(Collection<TopicPartition> revoked) {
      Set<Integer> next = new HashSet<>(partitions);
      for (TopicPartition tp : revoked) next.remove(tp.partition());
      return new Ownership(Set.copyOf(next), partitionCount);
    }
  }

  /** What one pass did. */
  public record Pass(int shards, long users, long dropped, long leftIndex) {}

  private final CredentialPool pool;
  private final Set<String> apps;
  private final Supplier<Ownership> ownership;
  private final Counter expired;
  private final Timer perShard;

  public PoolSweeper(CredentialPool pool, Set<String> apps, Supplier<Ownership> ownership, MeterRegistry registry) {
    this.pool = pool;
    this.apps = Set.copyOf(apps);
    this.ownership = ownership;
    this.expired = WxpushMeter.CREDENTIALS_EXPIRED.counter(registry);
    this.perShard = WxpushMeter.SWEEP_SHARD.timer(registry);
  }

  @Override
  public void run() {
    try {
      sweep();
    } catch (RuntimeException e) {
      log.warn("event=sweep_failed error={}", e.toString());
    }
  }

  /** One pass over the shards this process owns now; returns what it did. */
  public Pass sweep() {
    long started = System.nanoTime();
    int shards = 0;
    long users = 0;
    long dropped = 0;
    long left = 0;
    for (String appId : apps) {
      List<String> templates = List.copyOf(pool.grantTemplates(appId));
      Set<String> held = new HashSet<>();
      for (int shard = 0; shard < RedisKeys.INDEX_SHARDS; shard++) {
        if (!ownership.get().owns(shard)) continue;
        shards++;
        for (String template : concat(null, templates)) {
          long t0 = System.nanoTime();
          CredentialPool.ShardSweep s = pool.sweepShard(appId, template, shard);
          perShard.record(System.nanoTime() - t0, TimeUnit.NANOSECONDS);
          users += s.users();
          dropped += s.dropped();
          left += s.leftIndex();
          if (template != null && s.users() > s.leftIndex()) held.add(template);
        }
      }
      // a template nobody holds a grant of in any shard leaves the app's set (only a process that
      // sweeps every shard can tell)
      if (ownership.get().partitions().size() == ownership.get().partitionCount()) {
        for (String template : templates) {
          // a long-term template's holders are not in its grant index (they are in the form_id/prepay_id one)
          if (!held.contains(template) && indexEmpty(appId, template) && !pool.isLongTerm(appId, template)) pool.forgetTemplate(appId, template);
        }
      }
    }
    expired.increment(dropped);
    long ms = (System.nanoTime() - started) / 1_000_000;
    log.info("event=sweep_done shards={} users={} expired={} left_index={} ms={}", shards, users, dropped, left, ms);
    return new Pass(shards, users, dropped, left);
  }

  private boolean indexEmpty(String appId, String template) {
    return pool.index().indexSize(appId, template) == 0;
  }

  private static List<String> concat(String first, List<String> rest) {
    List<String> all = new ArrayList<>(rest.size() + 1);
    all.add(first);
    all.addAll(rest);
    return all;
  }
}
