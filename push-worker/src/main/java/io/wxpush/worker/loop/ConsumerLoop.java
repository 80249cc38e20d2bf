package io.wxpush.worker.loop;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lifecycle every Kafka consumer loop of the worker shares: one thread runs {@link #run()}
 * and owns the consumer; {@link #close()}, from any thread, stops the loop after the batch in
 * hand (which is finished and committed or acknowledged first) and waits until the consumer is
 * closed.
 *
 * <p>A loop handles the errors it expects (a broker away, a poison record) and keeps going; an
 * exception that escapes {@link #loop()} ends it for good. Such a loop is {@link #failure()
 * failed}: the worker's {@code /health} turns DOWN and the process exits so that its supervisor
 * restarts it, rather than stay up looking healthy while it consumes nothing.
 */
public abstract class ConsumerLoop implements Runnable, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ConsumerLoop.class);
  private final CountDownLatch finished = new CountDownLatch(1);
  private final Duration closeWait;
  private final CompletableFuture<RuntimeException> failed = new CompletableFuture<>();
  private volatile boolean running = true;

  /** @param closeWait how long {@link #close()} waits for the batch in hand */
  protected ConsumerLoop(Duration closeWait) {
    this.closeWait = closeWait;
  }

  /** Polls and handles batches while {@link #running()}. */
  protected abstract void loop() throws InterruptedException;

  /** Closes the consumer; called once, on the loop's thread, however the loop ended. */
  protected abstract void closeConsumer();

  protected final boolean running() {
    return running;
  }

  /** Sleeps a backoff before the loop tries again; an interrupt stops the loop. */
  protected final void pause(Backoff backoff, int attempt) {
    try {
      Thread.sleep(backoff.delay(attempt).toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      running = false;
    }
  }

  /** The exception that ended the loop, once it has ended by one (and closed its consumer). */
  public final Optional<RuntimeException> failure() {
    return Optional.ofNullable(failed.getNow(null));
  }

  /** Completes with the exception that ends the loop, after its consumer is closed; never on a clean stop. */
  public final CompletableFuture<RuntimeException> whenFailed() {
    return failed.copy();
  }

  @Override
  public final void run() {
    RuntimeException failure = null;
    try {
      loop();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (WakeupException e) {
      if (running) failure = e;
    } catch (RuntimeException e) {
      failure = e;
    } finally {
      if (failure != null) {
        log.error("event=consumer_loop_failed loop={} error={}", getClass().getSimpleName(), failure.toString(), failure);
      }
      try {
        closeConsumer();
      } catch (RuntimeException e) {
        log.warn("event=consumer_close_failed loop={} error={}", getClass().getSimpleName(), e.toString());
      } finally {
        finished.countDown();
        if (failure != null) failed.complete(failure);
      }
    }
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    finished.await(closeWait.toMillis(), TimeUnit.MILLISECONDS);
  }
}
