package io.wxpush.worker;

import io.wxpush.config.Env;
import io.wxpush.process.ProcessRunner;

/** Entry point of {@code java -jar push-worker/target/push-worker.jar}. */
public final class PushWorkerMain {
  private PushWorkerMain() {}

  public static void main(String[] args) {
    ProcessRunner.run("push-worker", () -> {
      PushWorker worker = PushWorker.start(WorkerConfig.read(Env.system()));
      // A loop that died consumes nothing more; a restart (by compose, Kubernetes or systemd)
      // brings it back, where staying up would look healthy to a liveness probe and do nothing.
      worker.whenLoopFailed().thenAccept(e -> ProcessRunner.exitBecause("push-worker", 1, "consumer_loop_failed", e));
      return worker;
    });
  }
}
