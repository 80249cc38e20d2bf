package io.wxpush.http;

/**
 * One dependency a process needs to be ready (Kafka, Redis). {@link #check()} returns quickly
 * (it is called on every {@code GET /health}) and throws or returns false when not ready.
 */
@FunctionalInterface
public interface HealthCheck {
  boolean check() throws Exception;
}
