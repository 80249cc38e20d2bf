package io.wxpush.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.wxpush.redis.RedisEndpoint;
import io.wxpush.user.UserRef;
import io.wxpush.kafka.KafkaClients;
import io.wxpush.kafka.Topics;
import io.wxpush.sim.SimTemplate;
import io.wxpush.testkit.RealServices;
import io.wxpush.testkit.TestEnv;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.Jedis;

/**
 * Scenario 5 of RELIABILITY.md, scale-out: the whole system on a three-broker Kafka cluster
 * (replication 3, min ISR 2) and a three-master Redis Cluster, with one broker SIGKILLed while
 * users upload credentials and a broadcast sends, and kept down until both are finished. Runs
 * against {@code scripts/cluster.sh}, which it drives to kill and restart brokers: set the
 * variables {@code scripts/cluster.sh env} prints (or run {@code scripts/cluster.sh test}).
 * Skipped when {@code WXPUSH_CLUSTER_SCRIPT} is not set.
 */
@ExtendWith(RealServices.class)
class ClusterScenariosIT {
  private static final int USERS = 600;
  /** Users per upload round; the uploader goes round the users a chunk at a time. */
  private static final int CHUNK = 50;
  private static final Duration UPLOADS_AFTER_KILL = Duration.ofSeconds(15);
  private static final Map<String, Object> MESSAGE = Map.of("keyword1", "hello");

  private final long t0 = System.nanoTime();
  private final List<String> events = new ArrayList<>();
  /** Brokers this test killed and has not restarted yet: restarted however the test ends. */
  private final Set<Integer> down = ConcurrentHashMap.newKeySet();

  private long elapsedMs() {
    return (System.nanoTime() - t0) / 1_000_000;
  }

  private synchronized void event(String what) {
    String line = String.format("t=%.1fs %s", elapsedMs() / 1000.0, what);
    events.add(line);
    System.out.println("cluster-scenario: " + line);
  }

  @Test
  void aBrokerKilledDuringUploadsAndABroadcastLosesNothingAndMessagesNobodyTwice(TestEnv env) throws Exception {
    String script = System.getenv("WXPUSH_CLUSTER_SCRIPT");
    Assumptions.assumeTrue(script != null && !script.isBlank(),
        "scenario 5 runs on the loopback cluster only: run scripts/cluster.sh test, or eval \"$(scripts/cluster.sh env)\" first");
    assertThat(Path.of(script)).as("WXPUSH_CLUSTER_SCRIPT").isRegularFile();
    String replication = System.getenv().getOrDefault("KAFKA_REPLICATION_FACTOR", "3");
    // A consumer loop that dies on the fail-over (as the share-group sender once did on a
    // timed-out acknowledgement) must fail the scenario even when the others finish the work.
    // Awaitility reports such deaths during its waits; this catches them in between.
    List<String> died = new CopyOnWriteArrayList<>();
    Thread.UncaughtExceptionHandler previousHandler = Thread.getDefaultUncaughtExceptionHandler();
    Thread.setDefaultUncaughtExceptionHandler((thread, e) -> died.add(thread.getName() + ": " + e));

    try (Admin admin = KafkaClients.admin(env.kafkaBootstrapServers(), "cluster-it")) {
      // The services are the cluster the scenario is about, not a single broker and server.
      assertThat(admin.describeCluster().nodes().get(30, TimeUnit.SECONDS)).as("Kafka brokers at " + env.kafkaBootstrapServers()).hasSize(3);
      RedisEndpoint redis = RedisEndpoint.parse(env.redisUrl());
      assertThat(redis.cluster()).as("REDIS_URL is a redis-cluster:// URL").isTrue();
      try (Jedis node = new Jedis(redis.nodes().getFirst())) {
        assertThat(node.clusterInfo()).as("Redis Cluster").contains("cluster_state:ok").contains("cluster_size:3");
      }

      // Start from a whole cluster: every partition with its three replicas in sync.
      script(script, "wait-in-sync", 180);

      try (Stack stack = Stack.start(env, Map.of("KAFKA_REPLICATION_FACTOR", replication))) {
        stack.sim.registerTemplate(new SimTemplate(Stack.APP, "TPL_ORDER", SimTemplate.Kind.TEMPLATE, List.of("keyword1"), Set.of()));
        stack.worker("credentials,fanout,sender", Map.of());
        Topics topics = new Topics(env.topicPrefix());
        assertReplicated(admin, List.of(topics.credentials(), topics.pushRequests(), topics.pushTasks(), topics.pushResults(), topics.pushDlq()),
            Integer.parseInt(replication));
        event("stack up: ingest-api and a worker (credentials,fanout,sender); topics replicated " + replication + ", min ISR 2");

        List<String> openIds = new ArrayList<>();
        for (int i = 0; i < USERS; i++) openIds.add("cl" + i);

        // 1. Every user has a form_id (straight into the pools, as PushPathIT does: the uploads
        // through the API are the ones under the fault below).
        stack.seedFormIds(openIds, 1, System.currentTimeMillis());
        Map<String, Integer> first = new TreeMap<>();
        for (String openId : openIds) first.put(openId, 1);
        Invariants.nothingAcknowledgedLost(stack, first);
        event("seeded one form_id for each of " + USERS + " users");

        // 2. A broadcast to all while users keep uploading form_ids through the API (login, then
        // POST /v1/credentials, retried on 503 as the client library does). Once a quarter of the
        // messages are out, SIGKILL the broker leading most partitions of the credentials and
        // push-tasks topics (the share-partition leaders hold the senders' in-flight records).
        // Uploads go on until the broadcast is done and at least UPLOADS_AFTER_KILL have passed
        // since the kill, so that they run through the whole fail-over; the broker stays down.
        stack.sim.faults().latency(Duration.ofMillis(30), Duration.ZERO);
        Map<String, Integer> uploaded = new ConcurrentHashMap<>();
        AtomicInteger refused = new AtomicInteger();
        AtomicLong killedAt = new AtomicLong();
        AtomicBoolean pushDone = new AtomicBoolean();
        AtomicReference<Throwable> uploadFailure = new AtomicReference<>();
        AtomicLong uploadsDoneAt = new AtomicLong();
        Thread uploader = Thread.ofVirtual().start(() -> {
          try {
            for (int chunk = 0; ; chunk = (chunk + 1) % (USERS / CHUNK)) {
              long k = killedAt.get();
              if (k > 0 && pushDone.get() && elapsedMs() - k >= UPLOADS_AFTER_KILL.toMillis()) break;
              Map<String, Integer> acked = new ConcurrentHashMap<>();
              stack.upload(openIds.subList(chunk * CHUNK, (chunk + 1) * CHUNK), 1, acked, refused);
              acked.forEach((openId, n) -> uploaded.merge(openId, n, Integer::sum));
            }
            uploadsDoneAt.set(elapsedMs());
          } catch (Throwable e) {
            uploadFailure.set(e);
          }
        });
        String rid = stack.push(Map.of("appId", Stack.APP, "kind", "template", "templateId", "TPL_ORDER", "data", MESSAGE,
            "audience", Map.of("all", true)));
        long pushStart = System.nanoTime();
        event("broadcast " + rid + " requested; uploads running");
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(20)).until(() -> stack.sim.deliveredCount() >= USERS / 4);
        Leader leader = busiestLeader(admin, List.of(topics.credentials(), topics.pushTasks()));
        int victim = leader.id();
        String role = describeRole(admin, victim);
        long deliveredAtKill = stack.sim.deliveredCount();
        long uploadedAtKill = sum(uploaded);
        down.add(victim);
        script(script, "kill-broker", victim);
        killedAt.set(elapsedMs());
        event("SIGKILL broker " + victim + " (" + role + ", leader of " + leader.led() + " of the " + leader.partitions()
            + " credentials and push-tasks partitions) after " + deliveredAtKill + " deliveries and " + uploadedAtKill
            + " form_ids uploaded");

        JsonNode status = await().atMost(Duration.ofSeconds(240)).pollInterval(Duration.ofMillis(250))
            .until(() -> stack.status(rid), s -> "done".equals(s.path("state").asText()));
        long pushDoneAt = elapsedMs();
        pushDone.set(true);
        event(String.format("broadcast done %.1f s after it was requested, %.1f s after the kill",
            (System.nanoTime() - pushStart) / 1e9, (pushDoneAt - killedAt.get()) / 1000.0));
        uploader.join(Duration.ofSeconds(180));
        assertThat(uploader.isAlive()).as("uploads still running 180 s after the broadcast").isFalse();
        assertThat(uploadFailure.get()).as("uploads").isNull();
        long uploadedAfterKill = sum(uploaded) - uploadedAtKill;
        event(String.format("uploads stopped %.1f s after the kill: %d form_ids acknowledged (%d after the kill), %d answers 503 (retried)",
            (uploadsDoneAt.get() - killedAt.get()) / 1000.0, sum(uploaded), uploadedAfterKill, refused.get()));
        assertThat(uploadedAfterKill).as("form_ids acknowledged after the kill").isPositive();
        assertThat(deliveredAtKill).as("messages out at the kill").isLessThan(USERS);

        // Each targeted user (all have a credential) got exactly one message, the status says so,
        // and no form_id was used twice (WeChat answers 41029 to a reused one).
        Invariants.exactlyOnce(stack, status, openIds);
        assertThat(status.get("sent").asLong()).as("sent").isEqualTo(USERS);
        assertThat(status.get("unknown").asLong()).as("unknown").isZero();
        int duplicates = 0;
        int missed = 0;
        for (String openId : openIds) {
          int n = stack.sim.inbox(Stack.APP, openId).size();
          if (n > 1) duplicates++;
          if (n == 0) missed++;
        }
        assertThat(duplicates).as("users with two messages").isZero();
        assertThat(missed).as("users with no message").isZero();
        Map<Integer, Long> errcodes = new TreeMap<>(stack.sim.errcodeCounts());
        assertThat(errcodes.getOrDefault(41029, 0L)).as("form_ids used twice (41029)").isZero();

        // Nothing acknowledged lost: each user's pool holds its seeded form_id and every one
        // answered 202, except the one the broadcast spent; the broker is still down.
        Map<String, Integer> expected = new TreeMap<>();
        for (String openId : openIds) expected.put(openId, first.getOrDefault(openId, 0) + uploaded.getOrDefault(openId, 0) - 1);
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1))
            .untilAsserted(() -> Invariants.nothingAcknowledgedLost(stack, expected));
        long held = sum(first) + sum(uploaded);
        long left = storedFormIds(stack, openIds);
        event("pools hold " + left + " form_ids = " + sum(first) + " seeded + " + sum(uploaded) + " acknowledged - " + USERS
            + " spent (broker " + victim + " still down)");

        assertThat(died).as("threads that died of an uncaught exception").isEmpty();

        script(script, "start-broker", victim);
        down.remove(victim);
        event("broker " + victim + " restarted");
        System.out.printf("RESULT cluster-scenario users=%d form_ids_seeded=%d form_ids_uploaded_acked=%d uploaded_after_kill=%d upload_503=%d "
                + "killed=broker%d(%s,leader_of_%d/%d) delivered_at_kill=%d sent=%d inboxes_with_two=%d inboxes_empty=%d "
                + "form_ids_left=%d lost=%d sim_errcodes=%s push_done_after_kill_s=%.1f time_s=%.1f%n",
            USERS, sum(first), sum(uploaded), uploadedAfterKill, refused.get(), victim, role, leader.led(), leader.partitions(),
            deliveredAtKill, status.get("sent").asLong(), duplicates, missed, left, held - USERS - left, errcodes,
            (pushDoneAt - killedAt.get()) / 1000.0, elapsedMs() / 1000.0);
      }
    } catch (Throwable e) {
      System.out.println("cluster-scenario: failed; events so far:\n  " + String.join("\n  ", events));
      throw e;
    } finally {
      Thread.setDefaultUncaughtExceptionHandler(previousHandler);
      for (int broker : down) script(script, "start-broker", broker); // leave the cluster whole for the next test
    }
  }

  /** Every partition of each topic has {@code replicas} replicas, and the topic needs 2 in sync. */
  private static void assertReplicated(Admin admin, List<String> names, int replicas) throws Exception {
    Map<String, TopicDescription> topics = admin.describeTopics(names).allTopicNames().get(30, TimeUnit.SECONDS);
    for (TopicDescription t : topics.values()) {
      for (TopicPartitionInfo p : t.partitions()) {
        assertThat(p.replicas()).as("replicas of " + t.name() + "-" + p.partition()).hasSize(replicas);
      }
    }
    List<ConfigResource> resources = names.stream().map(n -> new ConfigResource(ConfigResource.Type.TOPIC, n)).toList();
    Map<ConfigResource, Config> configs = admin.describeConfigs(resources).all().get(30, TimeUnit.SECONDS);
    for (var e : configs.entrySet()) {
      assertThat(e.getValue().get("min.insync.replicas").value()).as("min.insync.replicas of " + e.getKey().name()).isEqualTo("2");
    }
  }

  private static long sum(Map<String, Integer> counts) {
    return counts.values().stream().mapToLong(Integer::longValue).sum();
  }

  /** A broker and how many of the partitions looked at it leads. */
  private record Leader(int id, long led, long partitions) {}

  /** The broker leading most partitions of {@code topics} (lowest id on a tie). */
  private static Leader busiestLeader(Admin admin, List<String> topics) throws Exception {
    List<TopicPartitionInfo> partitions = admin.describeTopics(topics).allTopicNames().get(30, TimeUnit.SECONDS).values().stream()
        .flatMap(t -> t.partitions().stream()).toList();
    Map<Integer, Long> led = partitions.stream().filter(p -> p.leader() != null)
        .collect(Collectors.groupingBy(p -> p.leader().id(), TreeMap::new, Collectors.counting()));
    var busiest = led.entrySet().stream().max(Comparator.comparingLong(Map.Entry<Integer, Long>::getValue)
        .thenComparing(Map.Entry::getKey, Comparator.reverseOrder())).orElseThrow();
    return new Leader(busiest.getKey(), busiest.getValue(), partitions.size());
  }

  /** Whether the broker is also the active KRaft controller (every node is a voter). */
  private static String describeRole(Admin admin, int broker) {
    try {
      int controller = admin.describeMetadataQuorum().quorumInfo().get(10, TimeUnit.SECONDS).leaderId();
      return controller == broker ? "active-controller" : "follower-controller";
    } catch (Exception e) {
      return "controller-role-unknown";
    }
  }

  private static long storedFormIds(Stack stack, List<String> openIds) {
    try (var redis = stack.redis()) {
      var pool = stack.pool(redis);
      return openIds.stream().mapToLong(o -> pool.inspect(new UserRef(Stack.APP, o)).formIds()).sum();
    }
  }

  /** Runs {@code scripts/cluster.sh command arg}; fails the test with its output when it fails. */
  private static void script(String script, String command, int arg) throws Exception {
    Path log = Files.createTempFile("cluster-sh", ".log");
    try {
      Process p = new ProcessBuilder("bash", script, command, Integer.toString(arg)).redirectErrorStream(true)
          .redirectOutput(log.toFile()).start();
      if (!p.waitFor(300, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError("cluster.sh " + command + " " + arg + " did not finish within 300 s: " + Files.readString(log));
      }
      if (p.exitValue() != 0) throw new AssertionError("cluster.sh " + command + " " + arg + " failed: " + Files.readString(log));
    } finally {
      Files.deleteIfExists(log);
    }
  }
}
