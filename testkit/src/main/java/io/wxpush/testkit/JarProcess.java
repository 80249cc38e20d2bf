package io.wxpush.testkit;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A wxpush process started from its runnable jar, as an operator would start it: a fresh
 * environment (only what the test passes, plus {@code PATH}), output captured to a file.
 * Close to stop it (SIGTERM, then SIGKILL after 20 s).
 */
public final class JarProcess implements AutoCloseable {
  private final Process process;
  private final Path output;

  private JarProcess(Process process, Path output) {
    this.process = process;
    this.output = output;
  }

  /** Starts {@code java -jar jar} with exactly {@code env} (and PATH). */
  public static JarProcess start(Path jar, Map<String, String> env) throws IOException {
    Path output = Files.createTempFile("wxpush-" + jar.getFileName(), ".log");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = new ArrayList<>(List.of(java, "-Xmx256m", "-XX:+UseSerialGC", "-jar", jar.toString()));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile());
    builder.environment().clear();
    builder.environment().put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
    builder.environment().putAll(env);
    return new JarProcess(builder.start(), output);
  }

  /** The module's runnable jar, e.g. {@code target/ingest-api.jar}, relative to the module being tested. */
  public static Path moduleJar(String name) {
    Path jar = Path.of("target", name + ".jar").toAbsolutePath();
    if (!jar.toFile().isFile()) throw new IllegalStateException(jar + " is missing: run the package phase first (mvn verify does)");
    return jar;
  }

  /**
   * Another module's runnable jar, {@code ../<module>/target/<module>.jar}, for tests of a module
   * the reactor builds after it (system-tests, client-sample).
   */
  public static Path siblingJar(String module) {
    Path jar = Path.of("..", module, "target", module + ".jar").toAbsolutePath().normalize();
    if (!jar.toFile().isFile()) throw new IllegalStateException(jar + " is missing: build it first (./mvnw package -DskipTests)");
    return jar;
  }

  /** Waits for the process to end; returns its exit code or throws when it runs past {@code timeout}. */
  public int waitFor(Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) throw new IllegalStateException("still running after " + timeout);
    return process.exitValue();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  public long pid() {
    return process.pid();
  }

  /** Everything it printed so far. */
  public String output() {
    try {
      return Files.readString(output, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }

  public File outputFile() {
    return output.toFile();
  }

  /** SIGSTOP: the process freezes mid-work (as in a long GC pause or a stalled VM) until {@link #resume()}. */
  public void pause() throws IOException, InterruptedException {
    signal("STOP");
  }

  /** SIGCONT after {@link #pause()}. */
  public void resume() throws IOException, InterruptedException {
    signal("CONT");
  }

  private void signal(String name) throws IOException, InterruptedException {
    int exit = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start().waitFor();
    if (exit != 0) throw new IllegalStateException("kill -" + name + " " + process.pid() + " exited " + exit);
  }

  /** SIGKILL: no shutdown hook runs, as in a crash. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(20, TimeUnit.SECONDS);
  }

  @Override
  public void close() throws InterruptedException {
    if (!process.isAlive()) return;
    process.destroy();
    if (!process.waitFor(20, TimeUnit.SECONDS)) kill();
  }
}
