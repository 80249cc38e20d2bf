package io.wxpush.sim;

import io.wxpush.config.Env;
import io.wxpush.process.ProcessRunner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Entry point of {@code java -jar wechat-sim/target/wechat-sim.jar}: reads the environment and runs a {@link WeChatSim} until stopped. */
public final class WeChatSimMain {
  private static final Logger log = LoggerFactory.getLogger(WeChatSimMain.class);

  private WeChatSimMain() {}

  public static void main(String[] args) {
    ProcessRunner.run("wechat-sim", () -> {
      SimConfig config = SimEnvironment.read(Env.system());
      WeChatSim sim = WeChatSim.start(config);
      // App ids and counts only: secrets and tokens never reach a log line.
      log.info("event=listening port={} apps={} templates={}", sim.port(), config.apps().keySet(), config.templates().size());
      return sim;
    });
  }
}
