package io.wxpush.worker;

import io.wxpush.config.CommonConfig;
import io.wxpush.config.Env;
import io.wxpush.config.Roles;
import java.util.EnumSet;
import java.util.Set;

/**
 * Everything push-worker reads from the environment, validated at start-up.
 *
 * @param roles {@code WORKER_ROLES}, default all three
 * @param httpPort {@code HTTP_PORT} of health and metrics, default 8081
 */
public record WorkerConfig(CommonConfig common, Set<Roles> roles, int httpPort) {

  public static WorkerConfig read(Env env) {
    CommonConfig common = CommonConfig.read(env);
    Set<Roles> roles = EnumSet.allOf(Roles.class);
    try {
      roles = Roles.parse(env.string("WORKER_ROLES", "credentials,fanout,sender"));
    } catch (IllegalArgumentException e) {
      env.problem("WORKER_ROLES " + e.getMessage());
    }
    int port = env.port("HTTP_PORT", 8081);
    env.check();
    return new WorkerConfig(common, roles, port);
  }
}
