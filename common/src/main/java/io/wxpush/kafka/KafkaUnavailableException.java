package io.wxpush.kafka;

/** Kafka did not answer within the time allowed; the caller may retry later. */
public final class KafkaUnavailableException extends RuntimeException {
  public KafkaUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
