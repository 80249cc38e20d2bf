import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;

/**
 * Readiness checks for scripts/cluster.sh, run with the broker's own client jars
 * ({@code java -cp '.wxpush/kafka-lib/*' ClusterProbe.java ...}):
 *
 * <pre>
 *   brokers BOOTSTRAP IDS SECONDS   wait until every broker id of IDS (e.g. 1,2,3) is registered
 *   in-sync BOOTSTRAP SECONDS       wait until no partition (internal topics included) is under-replicated
 * </pre>
 *
 * Exits 0 when the condition holds, 1 with a line on stderr saying what is missing otherwise.
 */
public class ClusterProbe {
  public static void main(String[] args) throws Exception {
    if (args.length < 3) usage();
    long deadline = System.currentTimeMillis() + Long.parseLong(args[args.length - 1]) * 1_000;
    try (Admin admin = Admin.create(Map.of(
        AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, args[1],
        AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000,
        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000))) {
      String missing = "no answer";
      while (System.currentTimeMillis() < deadline) {
        try {
          missing = switch (args[0]) {
            case "brokers" -> missingBrokers(admin, args[2]);
            case "in-sync" -> underReplicated(admin);
            default -> { usage(); yield null; }
          };
          if (missing.isEmpty()) System.exit(0);
        } catch (Exception e) {
          missing = e.getCause() != null ? e.getCause().toString() : e.toString();
        }
        Thread.sleep(500);
      }
      System.err.println("cluster probe: " + args[0] + " not reached: " + missing);
      System.exit(1);
    }
  }

  private static String missingBrokers(Admin admin, String ids) throws Exception {
    Set<Integer> registered = admin.describeCluster().nodes().get().stream().map(Node::id).collect(Collectors.toSet());
    Set<Integer> missing = new TreeSet<>();
    for (String id : ids.split(",")) if (!registered.contains(Integer.parseInt(id.trim()))) missing.add(Integer.parseInt(id.trim()));
    return missing.isEmpty() ? "" : "brokers " + missing + " not registered (registered: " + new TreeSet<>(registered) + ")";
  }

  private static String underReplicated(Admin admin) throws Exception {
    Set<String> topics = admin.listTopics(new ListTopicsOptions().listInternal(true)).names().get();
    Map<String, TopicDescription> described = admin.describeTopics(topics).allTopicNames().get();
    List<String> under = new ArrayList<>();
    for (TopicDescription d : described.values()) {
      for (TopicPartitionInfo p : d.partitions()) {
        if (p.isr().size() < p.replicas().size()) under.add(d.name() + "-" + p.partition());
      }
    }
    if (under.isEmpty()) return "";
    return under.size() + " partitions under-replicated, e.g. " + under.subList(0, Math.min(5, under.size()));
  }

  private static void usage() {
    System.err.println("usage: ClusterProbe brokers BOOTSTRAP IDS SECONDS | in-sync BOOTSTRAP SECONDS");
    System.exit(2);
  }
}
