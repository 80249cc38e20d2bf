package io.wxpush.sim;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Shares equal immutable values (template ids, pages, data maps) between inbox entries, so a
 * broadcast of one message to a million users stores its data once. Bounded: past
 * {@code capacity} distinct values it stops sharing rather than grow. Thread-safe.
 */
final class Interner {
  private final Map<Object, Object> values = new ConcurrentHashMap<>();
  private final int capacity;

  Interner(int capacity) {
    this.capacity = capacity;
  }

  @SuppressWarnings("unchecked")
  <T> T intern(T value) {
    if (value == null) return null;
    Object shared = values.get(value);
    if (shared != null) return (T) shared;
    if (values.size() >= capacity) return value;
    Object raced = values.putIfAbsent(value, value);
    return raced == null ? value : (T) raced;
  }

  void clear() {
    values.clear();
  }
}
