package io.wxpush.worker;

import io.wxpush.config.Env;
import io.wxpush.process.ProcessRunner;

/** Entry point of {@code java -jar push-worker/target/push-worker.jar}. */
public final class PushWorkerMain {
  private PushWorkerMain() {}

  public static void main(String[] args) {
    // a worker whose consumer loop died exits (PushWorker is ProcessRunner.Supervised)
    ProcessRunner.run("push-worker", () -> PushWorker.start(WorkerConfig.read(Env.system())));
  }
}
