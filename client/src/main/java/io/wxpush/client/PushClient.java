package io.wxpush.client;

import java.io.IOException;

/**
 * Asks wxpush for a push: over HTTP ({@link HttpPushClient}) or straight to Kafka
 * ({@link KafkaPushClient}); a business service codes against this and picks the transport in
 * configuration. Implementations are thread-safe and blocking.
 */
public interface PushClient extends AutoCloseable {
  /**
   * Asks for {@code request}; returns its requestId once wxpush has it (HTTP: accepted; Kafka:
   * acknowledged by every in-sync replica). Sending the same requestId again is one push.
   */
  String push(PushRequest request) throws IOException, InterruptedException;

  /** Releases what the client holds (a Kafka producer it made); nothing for HTTP. */
  @Override
  void close();
}
