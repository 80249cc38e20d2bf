package io.wxpush.worker.credentials;

import static org.assertj.core.api.Assertions.assertThat;

import io.wxpush.redis.RedisKeys;
import java.util.Arrays;
import java.util.List;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** The sweep is sharded by the credentials partitions each process owns: together once, apart never twice. */
class SweepOwnershipTest {
  private static List<TopicPartition> partitions(int... ps) {
    return Arrays.stream(ps).mapToObj(p -> new TopicPartition("wxpush.credentials", p)).toList();
  }

  @Test
  void twoProcessesSplittingThePartitionsSweepEveryShardExactlyOnce() {
    PoolSweeper.Ownership a = PoolSweeper.Ownership.NONE.with(partitions(0, 2, 4, 6, 8, 10), 12);
    PoolSweeper.Ownership b = PoolSweeper.Ownership.NONE.with(partitions(1, 3, 5, 7, 9, 11), 12);
    int byA = 0;
    int byB = 0;
    for (int shard = 0; shard < RedisKeys.INDEX_SHARDS; shard++) {
      assertThat(a.owns(shard) ^ b.owns(shard)).as("shard " + shard + " has exactly one sweeper").isTrue();
      if (a.owns(shard)) byA++;
      else byB++;
    }
    assertThat(Math.abs(byA - byB)).as("an even split").isLessThanOrEqualTo(12);
  }

  @Test
  void aRevokedPartitionsShardsAreNoLongerSweptHereAndAProcessWithoutPartitionsSweepsNothing() {
    PoolSweeper.Ownership all = PoolSweeper.Ownership.NONE.with(partitions(0, 1, 2), 3);
    assertThat(all.owns(4)).isTrue();
    PoolSweeper.Ownership less = all.without(partitions(1));
    assertThat(less.owns(4)).isFalse();
    assertThat(less.owns(3)).isTrue();
    for (int shard = 0; shard < 100; shard++) assertThat(PoolSweeper.Ownership.NONE.owns(shard)).isFalse();
  }
}
