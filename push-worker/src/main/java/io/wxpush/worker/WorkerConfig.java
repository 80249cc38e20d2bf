package io.wxpush.worker;

import io.wxpush.config.CommonConfig;
import io.wxpush.config.Env;
import io.wxpush.config.Roles;
import io.wxpush.token.TokenManager;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * Everything push-worker reads from the environment, validated at start-up.
 *
 * @param roles {@code WORKER_ROLES}, default all three
 * @param httpPort {@code HTTP_PORT} of health and metrics, default 8081
 * @param poolCapPerUser {@code POOL_CAP_PER_USER}: most credential entries kept per user and
 *     pool (the freshest win), default 200
 * @param sinkBatch {@code SINK_BATCH}: most credential records written per Redis pipeline, default 2000
 * @param sweepInterval {@code SWEEP_INTERVAL}: how often expired credentials are swept, default 10 min
 * @param fanoutPage {@code FANOUT_PAGE}: users per fan-out page, default 500
 * @param senderMode {@code SENDER_MODE}: {@code share} (share group, default; Kafka ≥ 4.2) or
 *     {@code classic} (consumer group, capped by partitions)
 * @param senderConcurrency {@code SENDER_CONCURRENCY}: sends in flight per process, default 1024
 * @param senderConsumers {@code SENDER_CONSUMERS}: consumers (each with its own thread) per
 *     process, default 4; more keep slow batches from holding up the rest
 * @param sendRatePerApp {@code SEND_RATE_PER_APP}: fleet-wide sends per second per app, 0 = no
 *     limit (the default)
 * @param sendMaxAttempts {@code SEND_MAX_ATTEMPTS}: attempts of a transient failure before the
 *     DLQ, default 5
 * @param maxDeliveries {@code TASK_MAX_DELIVERIES}: a task handed out this often by the broker
 *     goes to the DLQ, default 5 (the broker's own limit)
 * @param weChatTimeout {@code WECHAT_TIMEOUT}: time-out of one WeChat call, default 10 s
 * @param taskLock {@code TASK_LOCK}: the share group's record lock ({@code share.record.lock.duration.ms},
 *     set on the group at start-up; the broker's own figure wins), and in classic mode the time
 *     the tasks of one poll may take; every task is done or handed back 2 s before it; default 30 s
 * @param tokenEndpoint {@code TOKEN_ENDPOINT}: {@code stable} (default) or {@code legacy}
 */
public record WorkerConfig(
    CommonConfig common,
    Set<Roles> roles,
    int httpPort,
    int poolCapPerUser,
    int sinkBatch,
    Duration sweepInterval,
    int fanoutPage,
    String senderMode,
    int senderConcurrency,
    int senderConsumers,
    int sendRatePerApp,
    int sendMaxAttempts,
    int maxDeliveries,
    Duration weChatTimeout,
    Duration taskLock,
    TokenManager.Endpoint tokenEndpoint) {

  public static WorkerConfig read(Env env) {
    CommonConfig common = CommonConfig.read(env);
    Set<Roles> roles = EnumSet.allOf(Roles.class);
    try {
      roles = Roles.parse(env.string("WORKER_ROLES", "credentials,fanout,sender"));
    } catch (IllegalArgumentException e) {
      env.problem("WORKER_ROLES " + e.getMessage());
    }
    int port = env.port("HTTP_PORT", 8081);
    int cap = env.integer("POOL_CAP_PER_USER", 200, 1, 100_000);
    int batch = env.integer("SINK_BATCH", 2_000, 1, 10_000);
    Duration sweep = env.duration("SWEEP_INTERVAL", Duration.ofMinutes(10));
    int page = env.integer("FANOUT_PAGE", 500, 1, 10_000);
    String mode = env.string("SENDER_MODE", "share").toLowerCase(Locale.ROOT);
    if (!mode.equals("share") && !mode.equals("classic")) env.problem("SENDER_MODE must be share or classic");
    int concurrency = env.integer("SENDER_CONCURRENCY", 1024, 1, 100_000);
    int consumers = env.integer("SENDER_CONSUMERS", 4, 1, 64);
    int rate = env.integer("SEND_RATE_PER_APP", 0, 0, 10_000_000);
    int attempts = env.integer("SEND_MAX_ATTEMPTS", 5, 1, 20);
    int deliveries = env.integer("TASK_MAX_DELIVERIES", 5, 2, 10);
    Duration timeout = env.duration("WECHAT_TIMEOUT", Duration.ofSeconds(10));
    Duration lock = env.duration("TASK_LOCK", Duration.ofSeconds(30));
    if (lock.compareTo(timeout.plus(Duration.ofSeconds(5))) < 0) env.problem("TASK_LOCK must be at least WECHAT_TIMEOUT + 5s (one attempt and its ledger steps)");
    TokenManager.Endpoint endpoint = TokenManager.Endpoint.STABLE;
    String tokenEndpoint = env.string("TOKEN_ENDPOINT", "stable").toLowerCase(Locale.ROOT);
    if (tokenEndpoint.equals("legacy")) endpoint = TokenManager.Endpoint.LEGACY;
    else if (!tokenEndpoint.equals("stable")) env.problem("TOKEN_ENDPOINT must be stable or legacy");
    env.check();
    return new WorkerConfig(common, roles, port, cap, batch, sweep, page, mode, concurrency, consumers, rate, attempts,
        deliveries, timeout, lock, endpoint);
  }
}
