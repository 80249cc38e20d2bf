package io.wxpush.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisException;

/**
 * Group commit for Redis: commands issued at the same moment by many threads go out together in
 * one pipeline, and each caller blocks until its own reply. When few calls are in flight a batch
 * holds one command and costs what a direct call costs; when a thousand sends are in flight,
 * Redis sees a few large pipelines instead of a thousand round trips, which is what keeps its one
 * core (and the sender's) from being spent on system calls.
 *
 * <p>Each command's reply or error is its own: one failed command fails only its caller. A
 * connection failure fails every command of that pipeline (none of them may have run, or all;
 * callers treat it like any failed call). Scripts go by SHA and are sent again with their source
 * when Redis answers {@code NOSCRIPT}. Thread-safe; callers should be virtual threads.
 */
public final class RedisBatcher implements AutoCloseable {
  private static final Duration IDLE_POLL = Duration.ofMillis(100);

  private final UnifiedJedis redis;
  private final int maxBatch;
  private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
  private final List<Thread> drainers = new ArrayList<>();
  private volatile boolean closed;

  /** One queued command: how to put it on a pipeline by SHA, and with its source (scripts only). */
  private record Pending(Function<AbstractPipeline, Response<?>> command, Function<AbstractPipeline, Response<?>> withSource,
      CompletableFuture<Object> reply) {}

  /**
   * @param pipelines pipelines in flight at once (each holds one pooled connection while it runs)
   * @param maxBatch most commands in one pipeline
   */
  public RedisBatcher(UnifiedJedis redis, int pipelines, int maxBatch) {
    if (pipelines < 1 || maxBatch < 1) throw new IllegalArgumentException("pipelines and maxBatch must be positive");
    this.redis = redis;
    this.maxBatch = maxBatch;
    for (int i = 0; i < pipelines; i++) {
      drainers.add(Thread.ofPlatform().daemon().name("redis-batcher-" + i).start(this::drain));
    }
  }

  /** Runs one command, e.g. {@code batcher.call(p -> p.hexists(key, field))}. */
  @SuppressWarnings("unchecked")
  public <T> T call(Function<AbstractPipeline, Response<T>> command) {
    return (T) submit(new Pending(command::apply, null, new CompletableFuture<>()));
  }

  /** Runs a script; on a cluster every key must share one hash slot. */
  public Object eval(RedisScript script, List<String> keys, List<String> args) {
    return submit(new Pending(p -> script.queue(p, keys, args, false), p -> script.queue(p, keys, args, true), new CompletableFuture<>()));
  }

  private Object submit(Pending pending) {
    if (closed) throw new IllegalStateException("Redis batcher is closed");
    queue.add(pending);
    if (closed && queue.remove(pending)) throw new IllegalStateException("Redis batcher is closed");
    try {
      return pending.reply().get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) throw r;
      throw new JedisException(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      // the command may still run: the caller must treat this like a call whose reply was lost
      throw new JedisException("interrupted while waiting for Redis", e);
    }
  }

  private void drain() {
    List<Pending> batch = new ArrayList<>(maxBatch);
    while (!closed || !queue.isEmpty()) {
      Pending first;
      try {
        first = queue.poll(IDLE_POLL.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        if (closed) break;
        continue;
      }
      if (first == null) continue;
      batch.clear();
      batch.add(first);
      queue.drainTo(batch, maxBatch - 1);
      run(batch, false);
    }
  }

  private void run(List<Pending> batch, boolean withSource) {
    List<Response<?>> replies = new ArrayList<>(batch.size());
    try (AbstractPipeline pipeline = RedisConnections.pipelined(redis)) {
      for (Pending p : batch) replies.add(withSource && p.withSource() != null ? p.withSource().apply(pipeline) : p.command().apply(pipeline));
      pipeline.sync();
    } catch (RuntimeException e) {
      for (Pending p : batch) p.reply().completeExceptionally(e);
      return;
    }
    List<Pending> reload = new ArrayList<>();
    for (int i = 0; i < batch.size(); i++) {
      Pending p = batch.get(i);
      try {
        p.reply().complete(replies.get(i).get());
      } catch (RuntimeException e) {
        if (!withSource && p.withSource() != null && RedisScript.isNoScript(e)) {
          reload.add(p); // Redis restarted or a new node: the script did not run; send its source
        } else {
          p.reply().completeExceptionally(e);
        }
      }
    }
    if (!reload.isEmpty()) run(reload, true);
  }

  /** Stops taking commands, runs those already queued, and stops the pipeline threads. */
  @Override
  public void close() {
    closed = true;
    for (Thread t : drainers) {
      try {
        t.join(Duration.ofSeconds(10));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
    Pending left;
    while ((left = queue.poll()) != null) left.reply().completeExceptionally(new IllegalStateException("Redis batcher is closed"));
  }
}
