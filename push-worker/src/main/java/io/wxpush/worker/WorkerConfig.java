package io.wxpush.worker;

import io.wxpush.config.CommonConfig;
import io.wxpush.config.Env;
import io.wxpush.config.Roles;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;

/**
 * Everything push-worker reads from the environment, validated at start-up.
 *
 * @param roles {@code WORKER_ROLES}, default all three
 * @param httpPort {@code HTTP_PORT} of health and metrics, default 8081
 * @param poolCapPerUser {@code POOL_CAP_PER_USER}: most credential entries kept per user and
 *     pool (the freshest win), default 200
 * @param sinkBatch {@code SINK_BATCH}: most credential records written per Redis pipeline, default 500
 * @param sweepInterval {@code SWEEP_INTERVAL}: how often expired credentials are swept, default 10 min
 */
public record WorkerConfig(
    CommonConfig common, Set<Roles> roles, int httpPort, int poolCapPerUser, int sinkBatch, Duration sweepInterval) {

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
    int batch = env.integer("SINK_BATCH", 500, 1, 10_000);
    Duration sweep = env.duration("SWEEP_INTERVAL", Duration.ofMinutes(10));
    env.check();
    return new WorkerConfig(common, roles, port, cap, batch, sweep);
  }
}
