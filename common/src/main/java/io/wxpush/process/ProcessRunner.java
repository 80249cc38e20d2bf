package io.wxpush.process;

import io.wxpush.config.ConfigException;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a wxpush process: starts it, stops it in order on SIGTERM/SIGINT, and turns a bad
 * configuration into one clear message and exit status 2 (never a stack trace).
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
   * Ends the process with {@code status} because it can no longer do its job: logs why, then
   * exits on a thread of its own (the shutdown hook still stops everything in order, and may
   * wait for the thread that called this).
   */
  public static void exitBecause(String name, int status, String reason, Throwable cause) {
    log.error("event=exiting process={} status={} reason={} error={}", name, status, reason, String.valueOf(cause));
    Thread.ofPlatform().name(name + "-exit").start(() -> System.exit(status));
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
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
