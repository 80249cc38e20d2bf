package io.wxpush.kafka;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Publishes records and returns only once Kafka has acknowledged every one of them (with the
 * durable producer: acks=all, idempotent), so a caller can promise the client they are kept.
 * Thread-safe; blocks up to {@code timeout} in all (send() blocking included).
 */
public final class AckedPublisher {
  private final Producer<String, byte[]> producer;
  private final Duration timeout;

  public AckedPublisher(Producer<String, byte[]> producer, Duration timeout) {
    this.producer = producer;
    this.timeout = timeout;
  }

  /** @throws KafkaUnavailableException when any record is not acknowledged in time */
  public void publishAll(List<ProducerRecord<String, byte[]>> records) {
    if (records.isEmpty()) return;
    long deadline = System.nanoTime() + timeout.toNanos();
    CountDownLatch acked = new CountDownLatch(records.size());
    AtomicReference<Exception> failure = new AtomicReference<>();
    try {
      for (ProducerRecord<String, byte[]> record : records) {
        producer.send(record, (metadata, e) -> {
          if (e != null) failure.compareAndSet(null, e);
          acked.countDown();
        });
      }
      if (!acked.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
        throw new KafkaUnavailableException("Kafka did not acknowledge " + acked.getCount() + " record(s) within " + timeout, null);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KafkaUnavailableException("interrupted while publishing", e);
    } catch (KafkaUnavailableException e) {
      throw e;
    } catch (RuntimeException e) { // send() itself fails when metadata is not there within max.block.ms
      throw new KafkaUnavailableException("Kafka refused the records: " + e.getClass().getSimpleName(), e);
    }
    if (failure.get() != null) {
      throw new KafkaUnavailableException("Kafka refused a record: " + failure.get().getClass().getSimpleName(), failure.get());
    }
  }
}
