package io.wxpush.worker.loop;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** How a loop's end is reported: a clean stop is not a failure; an escaped exception is, once. */
class ConsumerLoopTest {
  /** A loop that polls nothing: it ends when stopped, or throws {@code failWith} after {@code ready}. */
  static final class Loop extends ConsumerLoop {
    final CountDownLatch started = new CountDownLatch(1);
    final CountDownLatch fail = new CountDownLatch(1);
    final AtomicInteger closed = new AtomicInteger();
    final RuntimeException failWith;

    Loop(RuntimeException failWith) {
      super(Duration.ofSeconds(5));
      this.failWith = failWith;
    }

    @Override
    protected void loop() throws InterruptedException {
      started.countDown();
      while (running()) {
        if (fail.await(10, TimeUnit.MILLISECONDS)) throw failWith;
      }
    }

    @Override
    protected void closeConsumer() {
      closed.incrementAndGet();
    }
  }

  @Test
  void anEscapedExceptionFailsTheLoopAfterItsConsumerIsClosed() throws Exception {
    IllegalStateException boom = new IllegalStateException("fenced");
    Loop loop = new Loop(boom);
    Thread thread = Thread.ofPlatform().start(loop);
    loop.started.await();
    assertThat(loop.failure()).isEmpty();
    var failed = loop.whenFailed();
    assertThat(failed).isNotDone();

    loop.fail.countDown();

    assertThat(failed.get(10, TimeUnit.SECONDS)).isSameAs(boom);
    assertThat(loop.failure()).containsSame(boom);
    assertThat(loop.closed).hasValue(1);
    thread.join(Duration.ofSeconds(10));
    assertThat(thread.isAlive()).isFalse();
    loop.close(); // returns at once: the loop has ended
  }

  @Test
  void aCleanStopIsNoFailure() throws Exception {
    Loop loop = new Loop(new IllegalStateException("never thrown"));
    Thread thread = Thread.ofPlatform().start(loop);
    loop.started.await();
    var failed = loop.whenFailed();

    loop.close();

    thread.join(Duration.ofSeconds(10));
    assertThat(thread.isAlive()).isFalse();
    assertThat(loop.closed).hasValue(1);
    assertThat(loop.failure()).isEmpty();
    assertThat(failed).isNotDone();
  }
}
