package io.wxpush.worker.credentials;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.wxpush.config.GrantSource;
import io.wxpush.credentials.CredentialPool;
import io.wxpush.kafka.KafkaClients;
import io.wxpush.push.MessageIds;
import io.wxpush.push.PushStatusStore;
import io.wxpush.worker.loop.ConsumerLoop;
import io.wxpush.worker.loop.Role;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.UnifiedJedis;

/** The credentials role: the sink from {@code wxpush.credentials} into the pools, and the sweep of the shards it owns. */
public final class CredentialsRole implements Role {
  private static final Logger log = LoggerFactory.getLogger(CredentialsRole.class);

  /**
   * @param topic the credentials topic   @param group the sink's consumer group
   * @param sinkBatch {@code SINK_BATCH}   @param sweepInterval {@code SWEEP_INTERVAL}
   * @param apps the app ids whose index shards are swept
   */
  public record Config(String bootstrapServers, String topic, String group, int sinkBatch, Duration sweepInterval, Set<String> apps) {}

  private final CredentialSink sink;
  private final ScheduledExecutorService sweeper;
  private final EventApplier events;

  private CredentialsRole(CredentialSink sink, ScheduledExecutorService sweeper, EventApplier events) {
    this.sink = sink;
    this.sweeper = sweeper;
    this.events = events;
  }

  /**
   * @param status, messageIds, sources what WeChat's events need: the push counters, the msgid look-up, each app's grant source
   * @param redis, ledgerGrace, clock what settling a send in doubt by a sent event needs: the users' ledgers, {@code LEDGER_GRACE}
   */
  public static CredentialsRole start(Config config, CredentialPool pool, MeterRegistry registry, PushStatusStore status,
      MessageIds messageIds, Function<String, GrantSource> sources, UnifiedJedis redis, Duration ledgerGrace, Clock clock) {
    KafkaConsumer<String, byte[]> consumer = KafkaClients.manualCommitConsumer(config.bootstrapServers(), config.group(), "wxpush-sink",
        config.sinkBatch());
    new KafkaClientMetrics(consumer).bindTo(registry);
    DoubtSettler doubts = new DoubtSettler(redis, pool.keys(), new PushRuns(redis, pool.keys(), clock), status, ledgerGrace, clock);
    EventApplier events = new EventApplier(pool, messageIds, status, doubts, sources, registry);
    CredentialSink sink = new CredentialSink(consumer, config.topic(), pool, registry, events);
    Thread.ofPlatform().name("credential-sink").start(sink);
    ScheduledExecutorService sweeper = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("pool-sweeper").daemon().factory());
    long every = config.sweepInterval().toMillis();
    sweeper.scheduleWithFixedDelay(new PoolSweeper(pool, config.apps(), sink::ownership, registry), every, every, TimeUnit.MILLISECONDS);
    return new CredentialsRole(sink, sweeper, events);
  }

  @Override
  public List<ConsumerLoop> loops() {
    return List.of(sink);
  }

  @Override
  public void close() {
    sweeper.shutdownNow();
    events.close();
    try {
      sink.close();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      log.warn("event=close_interrupted what=credential-sink");
    }
  }
}
