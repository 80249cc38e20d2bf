package io.wxpush.kafka;

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
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the topics a process uses when they are missing, and sets the share-group start
 * offset. Idempotent: running it from every process at start-up is the intended use. Blocking.
 */
public final class TopicAdmin {
  private static final Logger log = LoggerFactory.getLogger(TopicAdmin.class);
  private static final long TIMEOUT_SECONDS = 30;

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
    try {
      Set<String> existing = admin.listTopics().names().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
      List<NewTopic> missing = new ArrayList<>();
      for (String name : names) {
        if (!existing.contains(name)) missing.add(new NewTopic(name, Optional.of(partitions), replicationFactor));
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

  /**
   * Configures a share group before its members join: it starts from the earliest offset, so
   * that records published before its first member joined are delivered (a share group starts at
   * the latest offset by default), and a record handed to a member stays locked to it for
   * {@code recordLock} ({@code share.record.lock.duration.ms}; the broker refuses values outside
   * its own minimum and maximum, 15–60 s by default). Members read the lock the broker applies
   * from their polls.
   */
  public void configureShareGroup(String groupId, java.time.Duration recordLock) {
    ConfigResource group = new ConfigResource(ConfigResource.Type.GROUP, groupId);
    List<AlterConfigOp> ops = List.of(
        new AlterConfigOp(new ConfigEntry("share.auto.offset.reset", "earliest"), AlterConfigOp.OpType.SET),
        new AlterConfigOp(new ConfigEntry("share.record.lock.duration.ms", Long.toString(recordLock.toMillis())), AlterConfigOp.OpType.SET));
    try {
      admin.incrementalAlterConfigs(Map.of(group, ops)).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof org.apache.kafka.common.errors.InvalidConfigurationException
          || e.getCause() instanceof org.apache.kafka.common.errors.InvalidRequestException) {
        throw new IllegalArgumentException("the broker refused share group settings for " + groupId + " (TASK_LOCK "
            + recordLock.toMillis() + " ms outside its group.share.min/max.record.lock.duration.ms?): " + e.getCause().getMessage(), e);
      }
      throw new KafkaUnavailableException("cannot configure share group " + groupId, e);
    } catch (TimeoutException e) {
      throw new KafkaUnavailableException("cannot configure share group " + groupId, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KafkaUnavailableException("interrupted while configuring share group", e);
    }
  }
}
