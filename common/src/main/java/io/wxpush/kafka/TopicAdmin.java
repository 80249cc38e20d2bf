package io.wxpush.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the topics a process uses when they are missing, and configures the senders' share
 * group (start offset, record lock, delivery limit). Idempotent: running it from every process at start-up is the intended use. Blocking.
 */
public final class TopicAdmin {
  private static final Logger log = LoggerFactory.getLogger(TopicAdmin.class);
  private static final long TIMEOUT_SECONDS = 30;
  /** How long the group's config may take to read back as set. */
  private static final long READ_BACK_SECONDS = 15;

  private final Admin admin;
  private final int partitions;
  private final Optional<Short> replicationFactor;

  /**
   * @param partitions partitions of each new topic
   * @param replicationFactor replicas of each new topic; empty means the broker's default
   */
  public TopicAdmin(Admin admin, int partitions, Optional<Short> replicationFactor) {
    if (partitions < 1) throw new IllegalArgumentException("partitions must be >= 1");
    this.admin = admin;
    this.partitions = partitions;
    this.replicationFactor = replicationFactor;
  }

  /** Creates each of {@code names} that does not exist yet; existing topics are left as they are. */
  public void ensureTopics(Collection<String> names) {
    ensureTopics(names, Map.of());
  }

  /**
   * As {@link #ensureTopics(Collection)}, a new topic created with {@code configs} (e.g.
   * {@code retention.ms}); an existing topic keeps its own, so an operator's change stands.
   */
  public void ensureTopics(Collection<String> names, Map<String, String> configs) {
    try {
      Set<String> existing = admin.listTopics().names().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
      List<NewTopic> missing = new ArrayList<>();
      for (String name : names) {
        if (!existing.contains(name)) missing.add(new NewTopic(name, Optional.of(partitions), replicationFactor).configs(configs));
      }
      if (missing.isEmpty()) return;
      for (var entry : admin.createTopics(missing).values().entrySet()) {
        try {
          entry.getValue().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
          log.info("event=topic_created topic={} partitions={}", entry.getKey(), partitions);
        } catch (ExecutionException e) {
          if (!(e.getCause() instanceof TopicExistsException)) throw e;
        }
      }
    } catch (ExecutionException | TimeoutException e) {
      throw new KafkaUnavailableException("cannot create topics " + names, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KafkaUnavailableException("interrupted while creating topics", e);
    }
  }

  /** The share-group config that caps how often the broker hands one record out (KIP-1240). */
  static final String DELIVERY_LIMIT = "share.delivery.count.limit";
  private static final String RECORD_LOCK = "share.record.lock.duration.ms";

  /**
   * Configures a share group before its members join: it starts from the earliest offset, so
   * that records published before its first member joined are delivered (a share group starts at
   * the latest offset by default), a record handed to a member stays locked to it for
   * {@code recordLock} ({@code share.record.lock.duration.ms}; the broker refuses values outside
   * its own minimum and maximum, 15–60 s by default), and the broker hands one record out at most
   * {@code deliveryLimit} times ({@code share.delivery.count.limit}; 2–10 by default). Then it reads
   * the group's config back and fails unless the broker applies both. Members read the lock the
   * broker applies from their polls.
   *
   * @param deliveryLimit one more than the deliveries a member uses ({@code TASK_MAX_DELIVERIES}),
   *     so that a member that dies in the last of them leaves one hand-out to dead-letter the record
   * @throws IllegalArgumentException the broker refuses a value, or applies another one
   */
  public void configureShareGroup(String groupId, Duration recordLock, int deliveryLimit) {
    ConfigResource group = new ConfigResource(ConfigResource.Type.GROUP, groupId);
    List<AlterConfigOp> ops = List.of(
        new AlterConfigOp(new ConfigEntry("share.auto.offset.reset", "earliest"), AlterConfigOp.OpType.SET),
        new AlterConfigOp(new ConfigEntry(RECORD_LOCK, Long.toString(recordLock.toMillis())), AlterConfigOp.OpType.SET),
        new AlterConfigOp(new ConfigEntry(DELIVERY_LIMIT, Integer.toString(deliveryLimit)), AlterConfigOp.OpType.SET));
    try {
      admin.incrementalAlterConfigs(Map.of(group, ops)).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
      // the broker answers a describe from its metadata cache, which may not have the change yet
      long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(READ_BACK_SECONDS);
      for (int attempt = 1; ; attempt++) {
        Config applied = admin.describeConfigs(List.of(group)).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS).get(group);
        try {
          expect(groupId, applied, DELIVERY_LIMIT, Integer.toString(deliveryLimit), "TASK_MAX_DELIVERIES + 1");
          expect(groupId, applied, RECORD_LOCK, Long.toString(recordLock.toMillis()), "TASK_LOCK");
          break;
        } catch (IllegalArgumentException e) {
          if (System.nanoTime() - giveUp > 0) throw e;
          Thread.sleep(Math.min(1_000, 50L * attempt));
        }
      }
      log.info("event=share_group_configured group={} record_lock_ms={} delivery_limit={}", groupId, recordLock.toMillis(), deliveryLimit);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof InvalidConfigurationException
          || e.getCause() instanceof InvalidRequestException) {
        throw new IllegalArgumentException("the broker refused share group settings for " + groupId + " (TASK_LOCK "
            + recordLock.toMillis() + " ms within its group.share.min/max.record.lock.duration.ms? " + DELIVERY_LIMIT + " "
            + deliveryLimit + " = TASK_MAX_DELIVERIES + 1 within its group.share.min/max.delivery.count.limit, 2-10 by default?"
            + " A broker older than Kafka 4.3 has no per-group delivery limit: use SENDER_MODE=classic there): "
            + e.getCause().getMessage(), e);
      }
      throw new KafkaUnavailableException("cannot configure share group " + groupId, e);
    } catch (TimeoutException e) {
      throw new KafkaUnavailableException("cannot configure share group " + groupId, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KafkaUnavailableException("interrupted while configuring share group", e);
    }
  }

  /** Fails unless the group's config {@code name} reads {@code value} (the broker may cap a value it accepted). */
  private static void expect(String groupId, Config applied, String name, String value, String setting) {
    ConfigEntry entry = applied == null ? null : applied.get(name);
    String found = entry == null ? null : entry.value();
    if (!value.equals(found)) {
      throw new IllegalArgumentException("share group " + groupId + ": " + name + " reads " + found + " after setting it to " + value
          + " (" + setting + "): the broker does not apply it");
    }
  }
}
