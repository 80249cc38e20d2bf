package io.wxpush.demo;

import java.io.PrintStream;
import java.util.function.Supplier;

/**
 * A status line redrawn while a phase runs: in place on a terminal (every 200 ms), or as a new
 * line every 2 s when the output is a file or a pipe. {@link #close()} prints the final state.
 */
final class ProgressLine implements AutoCloseable {
  private final PrintStream out;
  private final Supplier<String> line;
  private final boolean terminal;
  private final Thread ticker;
  private volatile boolean running = true;

  ProgressLine(PrintStream out, boolean terminal, Supplier<String> line) {
    this.out = out;
    this.line = line;
    this.terminal = terminal;
    this.ticker = Thread.ofPlatform().daemon().name("progress").start(this::tick);
  }

  private void tick() {
    long period = terminal ? 200 : 2_000;
    while (running) {
      try {
        Thread.sleep(period);
      } catch (InterruptedException e) {
        return;
      }
      if (running) draw(false);
    }
  }

  private synchronized void draw(boolean last) {
    String text = "  " + line.get();
    if (terminal) {
      out.print("\r" + text + "\033[K" + (last ? "\n" : ""));
    } else {
      out.println(text);
    }
    out.flush();
  }

  @Override
  public void close() {
    running = false;
    ticker.interrupt();
    try {
      ticker.join(1_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    draw(true);
  }
}
