package io.wxpush.kafka;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Builds Kafka clients with wxpush's settings; each caller owns and closes what it gets. */
public final class KafkaClients {
  private KafkaClients() {}

  public static Admin admin(String bootstrapServers, String clientId) {
    Map<String, Object> props = new HashMap<>();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(AdminClientConfig.CLIENT_ID_CONFIG, clientId);
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000);
    return Admin.create(props);
  }

  /**
   * A producer that loses nothing it acknowledged: {@code acks=all}, idempotent, bounded retries
   * within {@code deliveryTimeoutMs}; lz4-compressed with a small linger for batching.
   *
   * @param deliveryTimeoutMs how long a send may take in all before its future fails
   */
  public static KafkaProducer<String, byte[]> durableProducer(String bootstrapServers, String clientId, int deliveryTimeoutMs) {
    return durableProducer(bootstrapServers, clientId, deliveryTimeoutMs, "lz4");
  }

  /**
   * The same durable producer with another {@code compression.type}. A producer whose records
   * are keyed over many partitions and sent a few at a time (ingest: one user's upload) fills
   * batches of one to a few records; {@code none} suits it better than lz4, whose stream
   * allocates and zeroes two 64 KiB buffers per batch and saves little on ~150-byte records.
   */
  public static KafkaProducer<String, byte[]> durableProducer(String bootstrapServers, String clientId, int deliveryTimeoutMs, String compression) {
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

  /**
   * A consumer in a classic group that commits by hand ({@code enable.auto.commit=false}) and
   * starts a new group at the earliest offset, so nothing published before it is skipped.
   * A member that stops heartbeating (a crashed process) is dropped after 15 seconds.
   */
  public static KafkaConsumer<String, byte[]> manualCommitConsumer(String bootstrapServers, String groupId, String clientId, int maxPollRecords) {
    Map<String, Object> props = new HashMap<>();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
    props.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, maxPollRecords);
    // a broadcast's fan-out runs between two polls: give it time before the group moves on
    props.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, 30 * 60_000);
    // a crashed process's partitions move to the survivors after 15 s, not the default 45 s;
    // heartbeats come from the client's own thread, so a busy poll loop does not miss them
    props.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 15_000);
    props.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 3_000);
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    return new KafkaConsumer<>(props);
  }

  /**
   * A share-group consumer (KIP-932) in explicit acknowledgement mode: every record of a poll is
   * acknowledged (ACCEPT, RELEASE or REJECT) before the next poll.
   */
  public static KafkaShareConsumer<String, byte[]> shareConsumer(String bootstrapServers, String groupId, String clientId, int maxPollRecords) {
    Map<String, Object> props = new HashMap<>();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
    props.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
    props.put("share.acknowledgement.mode", "explicit");
    props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, maxPollRecords);
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    return new KafkaShareConsumer<>(props);
  }

  /** True when the cluster answers a metadata request within two seconds. */
  public static boolean reachable(Admin admin) {
    try {
      return !admin.describeCluster(new DescribeClusterOptions().timeoutMs(2_000)).nodes().get(2, TimeUnit.SECONDS).isEmpty();
    } catch (Exception e) {
      if (e instanceof InterruptedException) Thread.currentThread().interrupt();
      return false;
    }
  }
}
