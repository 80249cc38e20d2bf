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

  /** {@link DurableProducer#create(String, String, int)}: acks=all, idempotent, lz4. */
  public static KafkaProducer<String, byte[]> durableProducer(String bootstrapServers, String clientId, int deliveryTimeoutMs) {
    return DurableProducer.create(bootstrapServers, clientId, deliveryTimeoutMs);
  }

  /** {@link DurableProducer#create(String, String, int, String)} with another {@code compression.type}. */
  public static KafkaProducer<String, byte[]> durableProducer(String bootstrapServers, String clientId, int deliveryTimeoutMs, String compression) {
    return DurableProducer.create(bootstrapServers, clientId, deliveryTimeoutMs, compression);
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
