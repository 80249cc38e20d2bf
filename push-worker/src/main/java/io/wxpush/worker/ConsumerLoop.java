package io.wxpush.worker;

import java.time.Duration;
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
 */
public abstract class ConsumerLoop implements Runnable, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ConsumerLoop.class);
  private final CountDownLatch finished = new CountDownLatch(1);
  private final Duration closeWait;
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

  @Override
  public final void run() {
    try {
      loop();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (WakeupException e) {
      if (running) throw e;
    } catch (RuntimeException e) {
      log.error("event=consumer_loop_failed loop={} error={}", getClass().getSimpleName(), e.toString(), e);
      throw e;
    } finally {
      try {
        closeConsumer();
      } finally {
        finished.countDown();
      }
    }
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    finished.await(closeWait.toMillis(), TimeUnit.MILLISECONDS);
  }
}
