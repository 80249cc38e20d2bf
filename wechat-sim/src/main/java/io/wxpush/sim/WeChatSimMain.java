package io.wxpush.sim;

import io.javalin.Javalin;
import io.wxpush.config.Env;
import io.wxpush.http.HttpServer;
import io.wxpush.metrics.Registries;
import io.wxpush.process.ProcessRunner;
import java.util.Map;

/** Entry point of {@code java -jar wechat-sim/target/wechat-sim.jar}. Placeholder until issue 3. */
public final class WeChatSimMain {
  private WeChatSimMain() {}

  public static void main(String[] args) {
    ProcessRunner.run("wechat-sim", () -> {
      Env env = Env.system();
      env.weChatApps("WECHAT_APPS");
      int port = env.port("HTTP_PORT", 8090);
      env.check();
      Javalin http = HttpServer.create(Registries.prometheus("wechat-sim"), 64 * 1024, Map.of(), routes -> {}).start(port);
      return http::stop;
    });
  }
}
