package io.wxpush.worker.loop;

import java.util.List;

/**
 * One role of a push-worker (credentials, fan-out, sender), started by its own {@code start}
 * factory with its own config. Closing stops it: it stops polling, drains what is in flight and
 * commits; the worker closes roles in the reverse of their start.
 */
public interface Role extends AutoCloseable {
  /** The consumer loops it runs: one that ends by an exception makes the worker unhealthy. */
  List<ConsumerLoop> loops();

  @Override
  void close();
}
