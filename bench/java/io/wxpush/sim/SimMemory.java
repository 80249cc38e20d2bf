package io.wxpush.sim;

import com.fasterxml.jackson.databind.JsonNode;
import io.wxpush.json.Json;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryType;
import java.lang.ref.Reference;
import java.util.List;
import java.util.Set;

/**
 * Measures the sim's retained heap per user at broadcast scale: USERS users with one form_id
 * minted each, then after one template send delivered to each. Uses the same state classes a
 * running sim holds (the HTTP layer keeps no per-user state), which is why it sits in the sim's
 * package: bench/sim-memory.sh compiles it against wechat-sim.jar and runs it.
 *
 * <p>Usage: {@code SimMemory [users=1000000]}. Prints one {@code RESULT sim-memory …} line
 * (bytes per user); exits 1 when a send is not answered errcode 0.
 */
public final class SimMemory {
  private static final String APP = "wxbench";

  private SimMemory() {}

  public static void main(String[] args) throws Exception {
    int count = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    UserDirectory users = new UserDirectory();
    TemplateRegistry templates = new TemplateRegistry();
    templates.register(new SimTemplate(APP, "TPL_BENCH", SimTemplate.Kind.TEMPLATE, List.of("keyword1", "keyword2"), Set.of("pages/index")));
    SendProcessor sends = new SendProcessor(users, templates, new Interner(100_000), new SimStats());
    long now = System.currentTimeMillis();

    long empty = usedHeap();
    for (int i = 0; i < count; i++) users.getOrCreate(APP, openId(i)).mint(false, 1, now);
    long minted = usedHeap();

    for (int i = 0; i < count; i++) {
      // Each user's first form_id is slot 0; re-formatting it keeps the texts out of the minted figure.
      String formId = CredentialCodec.format(false, users.generation(), users.find(APP, openId(i)).id, 0);
      JsonNode body = Json.MAPPER.readTree("{\"touser\":\"" + openId(i) + "\",\"template_id\":\"TPL_BENCH\",\"page\":\"pages/index\",\"form_id\":\""
          + formId + "\",\"data\":{\"keyword1\":{\"value\":\"order 42 shipped\"},\"keyword2\":{\"value\":\"2024-05-01 12:30\"}}}");
      SendProcessor.Outcome outcome = sends.template(APP, body, now);
      if (outcome.errcode() != 0) {
        System.err.printf("send to %s answered errcode %d (%s)%n", openId(i), outcome.errcode(), outcome.errmsg());
        System.exit(1);
      }
    }
    long delivered = usedHeap();
    Reference.reachabilityFence(users);

    System.out.printf("RESULT sim-memory users=%d minted_B_per_user=%.0f delivered_B_per_user=%.0f message_B_per_user=%.0f"
            + " (heap after a full GC, %s)%n",
        count, (minted - empty) / (double) count, (delivered - empty) / (double) count, (delivered - minted) / (double) count,
        gcName());
  }

  private static String openId(int i) {
    return String.format("o%07d", i);
  }

  /**
   * The heap in use right after a full collection: what each heap pool held when the last
   * collection ended (a {@code System.gc()} is a synchronous full collection under G1 and
   * Parallel, so its figures are there when it returns). Two rounds, so that what the first
   * one only made unreachable (references cleared by it) is gone from the second.
   */
  private static long usedHeap() {
    long used = 0;
    for (int i = 0; i < 2; i++) {
      System.gc();
      used = 0;
      for (var pool : ManagementFactory.getMemoryPoolMXBeans()) {
        if (pool.getType() == MemoryType.HEAP && pool.getCollectionUsage() != null) {
          used += pool.getCollectionUsage().getUsed();
        }
      }
    }
    return used;
  }

  /** The collector's family: "G1" of "G1 Young Generation", "PS" of "PS Scavenge". */
  private static String gcName() {
    return ManagementFactory.getGarbageCollectorMXBeans().get(0).getName().split(" ")[0];
  }
}
