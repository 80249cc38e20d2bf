package io.wxpush.process;

import io.wxpush.config.ConfigException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a wxpush process: starts it, stops it in order on SIGTERM/SIGINT, turns a bad
 * configuration into one clear message and exit status 2 (never a stack trace), and exits with
 * status 1 when a {@link Supervised} process fails for good while it runs.
 */
public final class ProcessRunner {
  private static final Logger log = LoggerFactory.getLogger(ProcessRunner.class);

  /** Starts a process and returns what stops it; blocking is allowed. */
  @FunctionalInterface
  public interface Starter {
    AutoCloseable start() throws Exception;
  }

  private ProcessRunner() {}

  /**
   * A started process that can fail for good while it runs (a consumer loop that died, say).
   * When {@link #whenFailed()} completes, the runner logs why and exits with status 1, stopping
   * everything in order first, so that a supervisor (compose, Kubernetes, systemd) restarts it.
   */
  public interface Supervised extends AutoCloseable {
    /** Completes with what ended the process's work; never on a clean stop. */
    CompletionStage<? extends Throwable> whenFailed();
  }
  /** Starts the process, then blocks until the JVM is asked to stop. Never returns normally on failure. */
  public static void run(String name, Starter starter) {
    AutoCloseable running;
    try {
      running = starter.start();
    } catch (ConfigException e) {
      System.err.println(name + ": " + e.getMessage());
      System.exit(2);
      return;
    } catch (Exception e) {
      log.error("event=start_failed process={} error={}", name, e.toString(), e);
      System.exit(1);
      return;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      log.info("event=stopping process={}", name);
      try {
        running.close();
      } catch (Exception e) {
        log.warn("event=stop_failed process={} error={}", name, e.toString());
      }
      log.info("event=stopped process={}", name);
      stopped.countDown();
    }, name + "-shutdown"));
    log.info("event=started process={}", name);
    if (running instanceof Supervised supervised) {
      // after the hook is in place, so that the exit below still stops everything in order
      supervised.whenFailed().thenAccept(cause -> {
        log.error("event=exiting process={} status=1 error={}", name, String.valueOf(cause));
        // its own thread: System.exit waits for the hook, and the hook may wait for the caller
        Thread.ofPlatform().name(name + "-exit").start(() -> System.exit(1));
      });
    }
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
