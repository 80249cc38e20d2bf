package io.wxpush.testkit;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A Kafka broker of one test's own, run by {@code scripts/services.sh} with its own state dir
 * and ports, so the test can stop, kill and restart it without disturbing other tests. Its data
 * survives a stop; {@link #close()} stops it for good.
 */
public final class PrivateKafka implements AutoCloseable {
  private final Path script;
  private final Path stateDir;
  private final int port;

  private PrivateKafka(Path script, Path stateDir, int port) {
    this.script = script;
    this.stateDir = stateDir;
    this.port = port;
  }

  /** Starts a broker on a free port pair; needs the repository's {@code scripts/services.sh}. */
  public static PrivateKafka start() throws IOException, InterruptedException {
    Path script = findScript();
    Path state = Files.createTempDirectory("wxpush-private-kafka");
    PrivateKafka kafka = new PrivateKafka(script, state, freePortPair());
    kafka.run("start-kafka");
    return kafka;
  }

  public String bootstrapServers() {
    return "127.0.0.1:" + port;
  }

  /** Clean shutdown (SIGTERM, waits until it exits). */
  public void stop() throws IOException, InterruptedException {
    run("stop-kafka");
  }

  /** A crash: SIGKILL. */
  public void kill() throws IOException, InterruptedException {
    run("kill-kafka");
  }

  /** Starts it again on the same port with the same data. */
  public void restart() throws IOException, InterruptedException {
    run("start-kafka");
  }

  @Override
  public void close() throws IOException, InterruptedException {
    run("stop-kafka");
  }

  private void run(String command) throws IOException, InterruptedException {
    ProcessBuilder builder = new ProcessBuilder("bash", script.toString(), command).redirectErrorStream(true)
        .redirectOutput(stateDir.resolve("script.log").toFile());
    builder.environment().put("WXPUSH_STATE_DIR", stateDir.toString());
    builder.environment().put("WXPUSH_KAFKA_PORT", Integer.toString(port));
    builder.environment().put("WXPUSH_KAFKA_HEAP", "512m");
    Process p = builder.start();
    if (!p.waitFor(180, TimeUnit.SECONDS) || p.exitValue() != 0) {
      p.destroyForcibly();
      throw new IllegalStateException("services.sh " + command + " failed: " + Files.readString(stateDir.resolve("script.log")));
    }
  }

  private static Path findScript() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path candidate = dir.resolve("scripts/services.sh");
      if (Files.isRegularFile(candidate)) return candidate;
    }
    throw new IllegalStateException("scripts/services.sh not found above " + Path.of("").toAbsolutePath());
  }

  private static int freePortPair() throws IOException {
    for (int attempt = 0; attempt < 50; attempt++) {
      int port = ThreadLocalRandom.current().nextInt(20_000, 40_000);
      try (ServerSocket a = new ServerSocket(port); ServerSocket b = new ServerSocket(port + 1)) {
        return port;
      } catch (IOException taken) {
        // try another
      }
    }
    throw new IOException("no free port pair found");
  }
}
