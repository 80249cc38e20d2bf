package io.wxpush.kafka;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Builds the Kafka producer wxpush and its clients publish with: nothing it acknowledged is lost. */
public final class DurableProducer {
  private DurableProducer() {}

  /**
   * A producer that loses nothing it acknowledged: {@code acks=all}, idempotent, bounded retries
   * within {@code deliveryTimeoutMs}; lz4-compressed with a small linger for batching.
   *
   * @param deliveryTimeoutMs how long a send may take in all before its future fails
   */
  public static KafkaProducer<String, byte[]> create(String bootstrapServers, String clientId, int deliveryTimeoutMs) {
    return create(bootstrapServers, clientId, deliveryTimeoutMs, "lz4");
  }

  /**
   * The same durable producer with another {@code compression.type}. A producer whose records
   * are keyed over many partitions and sent a few at a time (ingest: one user's upload) fills
   * batches of one to a few records; {@code none} suits it better than lz4, whose stream
   * allocates and zeroes two 64 KiB buffers per batch and saves little on ~150-byte records.
   */
  public static KafkaProducer<String, byte[]> create(String bootstrapServers, String clientId, int deliveryTimeoutMs, String compression) {
    Map<String, Object> props = new HashMap<>();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, compression);
    props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    props.put(ProducerConfig.BATCH_SIZE_CONFIG, 64 * 1024);
    props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, deliveryTimeoutMs);
    props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, Math.max(1_000, Math.min(deliveryTimeoutMs - 100, 30_000)));
    // send() blocks this long at most when the broker is unreachable (metadata or a full buffer)
    props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, Math.min(deliveryTimeoutMs / 2, 2_000));
    props.put(CommonClientConfigs.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1_000);
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    return new KafkaProducer<>(props);
  }

}
