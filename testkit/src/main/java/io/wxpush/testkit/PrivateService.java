package io.wxpush.testkit;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A Kafka broker or a Redis server of one test's own, run by {@code scripts/services.sh} with
 * its own state dir and port, so the test can stop, kill and restart it without disturbing other
 * tests. Its data survives a stop (Redis keeps an AOF); {@link #close()} stops it for good.
 */
public final class PrivateService implements AutoCloseable {
  private final String name;
  private final Path script;
  private final Path stateDir;
  private final int port;

  private PrivateService(String name, Path script, Path stateDir, int port) {
    this.name = name;
    this.script = script;
    this.stateDir = stateDir;
    this.port = port;
  }

  /** Starts a Kafka broker (KRaft) on a free port pair (broker, controller). */
  public static PrivateService kafka() throws IOException, InterruptedException {
    return start("kafka");
  }

  /** Starts a Redis server with AOF on a free port. */
  public static PrivateService redis() throws IOException, InterruptedException {
    return start("redis");
  }

  private static PrivateService start(String name) throws IOException, InterruptedException {
    PrivateService service = new PrivateService(name, findScript(), Files.createTempDirectory("wxpush-private-" + name), freePortPair());
    service.run("start-" + name);
    return service;
  }

  /** {@code 127.0.0.1:port} for Kafka, {@code redis://127.0.0.1:port} for Redis. */
  public String address() {
    return name.equals("redis") ? "redis://127.0.0.1:" + port : "127.0.0.1:" + port;
  }

  /** Clean shutdown (SIGTERM, waits until it exits; Redis flushes its AOF). */
  public void stop() throws IOException, InterruptedException {
    run("stop-" + name);
  }

  /** A crash: SIGKILL (Kafka only). */
  public void kill() throws IOException, InterruptedException {
    run("kill-" + name);
  }

  /** Starts it again on the same port with the same data. */
  public void restart() throws IOException, InterruptedException {
    run("start-" + name);
  }

  @Override
  public void close() throws IOException {
    try {
      run("stop-" + name);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while stopping " + name, e);
    }
  }

  private void run(String command) throws IOException, InterruptedException {
    ProcessBuilder builder = new ProcessBuilder("bash", script.toString(), command).redirectErrorStream(true)
        .redirectOutput(stateDir.resolve("script.log").toFile());
    builder.environment().put("WXPUSH_STATE_DIR", stateDir.toString());
    builder.environment().put(name.equals("redis") ? "WXPUSH_REDIS_PORT" : "WXPUSH_KAFKA_PORT", Integer.toString(port));
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
