package io.wxpush.worker;

import io.wxpush.config.CommonConfig;
import io.wxpush.config.Env;
import io.wxpush.config.Setting;
import io.wxpush.worker.credentials.CredentialsRole;
import io.wxpush.worker.fanout.FanoutRole;
import io.wxpush.worker.sender.SenderConfig;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * Everything push-worker reads from the environment, validated at start-up; names, defaults and
 * meanings are declared in {@link Setting}. The WeChat time-out and the pool cap are the shared
 * ones ({@link CommonConfig}).
 *
 * @param maxGrantTemplates {@code MAX_GRANT_TEMPLATES}: most templates one user holds grants for
 * @param ledgerGrace {@code LEDGER_GRACE}: how long a push's per-user state is kept (and its horizon)
 * @param taskLock {@code TASK_LOCK}: set on the share group as its record lock (the broker's own
 *     figure, read with each poll, wins); every task is done or handed back 2 s before it runs out
 */
public record WorkerConfig(
    CommonConfig common,
    Set<Roles> roles,
    int httpPort,
    int sinkBatch,
    Duration sweepInterval,
    int fanoutPage,
    String senderMode,
    int senderConcurrency,
    int senderConsumers,
    int sendRatePerApp,
    int sendMaxAttempts,
    int maxDeliveries,
    Duration taskLock,
    Duration ledgerGrace,
    int maxGrantTemplates) {

  /**
   * The most {@code TASK_MAX_DELIVERIES} may be: the senders' share group gets a delivery limit one
   * above it ({@code share.delivery.count.limit}), and a default broker allows at most 10.
   */
  public static final int MAX_DELIVERIES = 9;

  public static WorkerConfig read(Env env) {
    CommonConfig common = CommonConfig.read(env);
    Set<Roles> roles = EnumSet.allOf(Roles.class);
    try {
      roles = Roles.parse(env.string(Setting.WORKER_ROLES));
    } catch (IllegalArgumentException e) {
      env.problem("WORKER_ROLES " + e.getMessage());
    }
    int port = env.port(Setting.HTTP_PORT, Setting.Process.PUSH_WORKER);
    int batch = env.integer(Setting.SINK_BATCH, 1, 10_000);
    Duration sweep = env.duration(Setting.SWEEP_INTERVAL);
    int page = env.integer(Setting.FANOUT_PAGE, 1, 10_000);
    String mode = env.string(Setting.SENDER_MODE).toLowerCase(Locale.ROOT);
    if (!mode.equals("share") && !mode.equals("classic")) env.problem("SENDER_MODE must be share or classic");
    int concurrency = env.integer(Setting.SENDER_CONCURRENCY, 1, 100_000);
    int consumers = env.integer(Setting.SENDER_CONSUMERS, 1, 64);
    int rate = env.integer(Setting.SEND_RATE_PER_APP, 0, 10_000_000);
    int attempts = env.integer(Setting.SEND_MAX_ATTEMPTS, 1, 20);
    // the share group's delivery limit is set one above it, and a broker allows at most 10 by default
    // (group.share.max.delivery.count.limit): the last delivery always has a spare one after it
    int deliveries = env.integer(Setting.TASK_MAX_DELIVERIES, 2, MAX_DELIVERIES);
    Duration timeout = common.weChatTimeout();
    Duration lock = env.duration(Setting.TASK_LOCK);
    if (lock.compareTo(timeout.plus(Duration.ofSeconds(5))) < 0) env.problem("TASK_LOCK must be at least WECHAT_TIMEOUT + 5s (one attempt and its ledger steps)");
    int grantTemplates = env.integer(Setting.MAX_GRANT_TEMPLATES, 1, 10_000);
    Duration grace = env.duration(Setting.LEDGER_GRACE);
    if (grace.compareTo(Duration.ofSeconds(1)) < 0) env.problem("LEDGER_GRACE must be at least 1s");
    env.check();
    return new WorkerConfig(common, roles, port, batch, sweep, page, mode, concurrency, consumers, rate, attempts,
        deliveries, lock, grace, grantTemplates);
  }

  /** What the sender role reads. */
  public SenderConfig sender() {
    return new SenderConfig(common, senderMode, senderConcurrency, senderConsumers, sendRatePerApp,
        sendMaxAttempts, maxDeliveries, taskLock, common.tokenEndpoint(), ledgerGrace);
  }

  /** What the credentials role reads. */
  public CredentialsRole.Config credentials() {
    return new CredentialsRole.Config(common.kafkaBootstrapServers(), common.topics().credentials(),
        common.topics().credentialSinkGroup(), sinkBatch, sweepInterval, common.apps().keySet());
  }

  /** What the fan-out role reads. */
  public FanoutRole.Config fanout() {
    return new FanoutRole.Config(common.kafkaBootstrapServers(), common.topics().pushRequests(),
        common.topics().pushTasks(), common.topics().fanoutGroup(), fanoutPage, ledgerGrace, common.topics().pushDlq(), common.apps().keySet());
  }
}
