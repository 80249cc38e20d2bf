package io.wxpush.redis;

import io.wxpush.secret.Secret;
import java.time.Duration;
import java.util.HashSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.ConnectionPoolConfig;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.JedisCluster;
import redis.clients.jedis.JedisPooled;
import redis.clients.jedis.UnifiedJedis;

/**
 * Opens a pooled, thread-safe {@link UnifiedJedis} for a {@link RedisEndpoint}: one server or a
 * cluster behind the same API, so callers never care which. Every multi-key operation wxpush
 * makes stays within one hash tag, which is what lets the same code run on a cluster.
 */
public final class RedisConnections {
  /**
   * Where a cluster pipeline talks to its nodes at once when it syncs: a virtual thread per node
   * and sync. Without one, Jedis starts a fixed pool of platform threads for every sync that
   * spans nodes and shuts it down after.
   */
  private static final ExecutorService CLUSTER_SYNC = Executors.newVirtualThreadPerTaskExecutor();

  private RedisConnections() {}

  /**
   * A pipeline on {@code redis}; use it instead of {@link UnifiedJedis#pipelined()}. On a
   * cluster its sync reaches the nodes it spans in parallel on {@link #CLUSTER_SYNC}.
   */
  public static AbstractPipeline pipelined(UnifiedJedis redis) {
    return redis instanceof JedisCluster cluster ? cluster.pipelined(CLUSTER_SYNC) : redis.pipelined();
  }

  /**
   * @param maxConnections the pool size per node; size it to the number of threads that talk to
   *     Redis at once (virtual threads park while they wait for a connection)
   */
  public static UnifiedJedis open(RedisEndpoint endpoint, int maxConnections) {
    DefaultJedisClientConfig.Builder client = DefaultJedisClientConfig.builder()
        .connectionTimeoutMillis(2_000)
        .socketTimeoutMillis(5_000)
        .clientName("wxpush");
    endpoint.password().map(Secret::reveal).ifPresent(client::password);
    JedisClientConfig config = client.build();
    ConnectionPoolConfig pool = new ConnectionPoolConfig();
    pool.setMaxTotal(maxConnections);
    pool.setMaxIdle(maxConnections);
    pool.setMinIdle(0);
    pool.setMaxWait(Duration.ofSeconds(5));
    pool.setTestWhileIdle(true);
    if (endpoint.cluster()) {
      return new JedisCluster(new HashSet<>(endpoint.nodes()), config, 5, pool);
    }
    return new JedisPooled(pool, endpoint.nodes().getFirst(), config);
  }
}
