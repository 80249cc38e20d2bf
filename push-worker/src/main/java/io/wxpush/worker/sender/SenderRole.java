package io.wxpush.worker.sender;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.wxpush.config.CommonConfig;
import io.wxpush.kafka.AckedPublisher;
import io.wxpush.kafka.KafkaClients;
import io.wxpush.kafka.Topics;
import io.wxpush.policy.PolicyStore;
import io.wxpush.policy.QuietHolds;
import io.wxpush.push.MessageIds;
import io.wxpush.push.PushStatusStore;
import io.wxpush.templates.TemplateRegistry;
import io.wxpush.token.TokenManager;
import io.wxpush.wechat.WeChatClient;
import io.wxpush.worker.loop.Backoff;
import io.wxpush.worker.loop.ConsumerLoop;
import io.wxpush.worker.loop.Role;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import redis.clients.jedis.UnifiedJedis;

/**
 * The {@code sender} role: {@code SENDER_CONSUMERS} consumer loops on {@code wxpush.push-tasks}
 * (share group by default, classic group for older brokers) feeding one pool of virtual-thread
 * sends. Closing stops polling, lets each loop finish and acknowledge its batch, then closes.
 */
public final class SenderRole implements Role {
  private final List<ConsumerLoop> loops;
  private final TaskBatch batch;
  private final WeChatClient weChat;

  private SenderRole(List<ConsumerLoop> loops, TaskBatch batch, WeChatClient weChat) {
    this.loops = loops;
    this.batch = batch;
    this.weChat = weChat;
  }

  /** How long before the broker's lock on a task runs out the task must be done or handed back. */
  static final Duration LOCK_MARGIN = Duration.ofSeconds(2);
  /** The ledger steps and token read around one WeChat call, on top of its time-out. */
  static final Duration STEPS_AROUND_A_CALL = Duration.ofSeconds(2);
  /** How much longer than one attempt's budget its lease lasts. */
  static final Duration LEASE_MARGIN = Duration.ofSeconds(3);

  public static SenderRole start(SenderConfig config, UnifiedJedis redis, SendLedger ledger, PushStatusStore status,
      AckedPublisher publisher, MeterRegistry registry, Clock clock, PolicyStore policies, QuietHolds quiet) {
    CommonConfig common = config.common();
    Topics topics = common.topics();
    WeChatClient weChat = new WeChatClient(common.weChatApiBase(), common.weChatTimeout(), config.concurrency(), clock);
    TokenManager tokens = new TokenManager(redis, common.redisKeys(), weChat, common.apps(), config.tokenEndpoint(),
        common.weChatTimeout(), clock, registry);
    SenderMeters meters = new SenderMeters(registry);
    Outcomes outcomes = new Outcomes(status, publisher, topics.pushResults(), topics.pushDlq(), meters, config.ledgerGrace(), clock,
        new MessageIds(redis, common.redisKeys(), config.ledgerGrace(), clock));
    Duration attemptBudget = common.weChatTimeout().plus(STEPS_AROUND_A_CALL);
    Backoff backoff = new Backoff(Duration.ofMillis(200), Duration.ofSeconds(5));
    SendPolicy policy = new SendPolicy(config.maxAttempts(), backoff, attemptBudget, config.maxDeliveries());
    TaskRunner runner = new TaskRunner(new SenderParts(ledger, status, tokens, weChat, new AppPause(redis, common.redisKeys(), clock),
        new SendRateLimiter(redis, common.redisKeys(), config.ratePerApp(), clock), outcomes, meters, policy, backoff,
        attemptBudget.plus(LEASE_MARGIN), attemptBudget, config.ledgerGrace(), clock,
        new TemplateRegistry(redis, common.redisKeys(), clock), new SpendRules(policies, quiet, clock), new PushGate(),
        new StopCache(status)));
    TaskBatch batch = new TaskBatch(runner, outcomes, config.concurrency(), policy);

    int perConsumer = Math.max(1, Math.min(500, config.concurrency() * 2 / config.consumers()));
    List<ConsumerLoop> loops = new ArrayList<>();
    for (int i = 0; i < config.consumers(); i++) {
      String clientId = "wxpush-sender-" + i;
      ConsumerLoop loop;
      if (config.mode().equals("classic")) {
        KafkaConsumer<String, byte[]> consumer = KafkaClients.manualCommitConsumer(common.kafkaBootstrapServers(), topics.senderGroup(), clientId, perConsumer);
        new KafkaClientMetrics(consumer).bindTo(registry);
        loop = new ClassicSenderLoop(consumer, topics.pushTasks(), batch, config.taskLock().minus(LOCK_MARGIN));
      } else {
        KafkaShareConsumer<String, byte[]> consumer = KafkaClients.shareConsumer(common.kafkaBootstrapServers(), topics.senderGroup(), clientId, perConsumer);
        loop = new ShareSenderLoop(consumer, topics.pushTasks(), batch, config.taskLock(), LOCK_MARGIN);
      }
      Thread.ofPlatform().name(clientId).start(loop);
      loops.add(loop);
    }
    return new SenderRole(loops, batch, weChat);
  }

  /** The consumer loops, one per {@code SENDER_CONSUMERS}. */
  public List<ConsumerLoop> loops() {
    return List.copyOf(loops);
  }

  @Override
  public void close() {
    // Stop every loop at once, then wait for each: in-flight batches finish and are acknowledged.
    List<Thread> closing = new ArrayList<>();
    for (ConsumerLoop loop : loops) {
      closing.add(Thread.ofPlatform().start(() -> {
        try {
          loop.close();
        } catch (Exception e) {
          Thread.currentThread().interrupt();
        }
      }));
    }
    try {
      for (Thread t : closing) t.join(Duration.ofSeconds(70));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    batch.close();
    weChat.close();
  }
}
