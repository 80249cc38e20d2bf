package io.wxpush.ingest;

import io.wxpush.config.Env;
import io.wxpush.process.ProcessRunner;

/** Entry point of {@code java -jar ingest-api/target/ingest-api.jar}. */
public final class IngestApiMain {
  private IngestApiMain() {}

  public static void main(String[] args) {
    ProcessRunner.run("ingest-api", () -> IngestApi.start(IngestConfig.read(Env.system())));
  }
}
