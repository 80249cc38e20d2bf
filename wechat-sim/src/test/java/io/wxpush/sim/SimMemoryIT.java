package io.wxpush.sim;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.wxpush.json.Json;
import java.lang.management.ManagementFactory;
import java.lang.ref.Reference;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Measures the sim's retained heap per user at broadcast scale: users with one form_id minted
 * each, then after one delivery each. Uses the same state classes a running sim holds (the
 * HTTP layer keeps no per-user state). Off by default; run with
 * {@code ./mvnw -B -ntp -pl wechat-sim verify -Dit.test=SimMemoryIT -Dsim.memory=true [-Dsim.memory.users=1000000]}.
 */
@EnabledIfSystemProperty(named = "sim.memory", matches = "true")
class SimMemoryIT {
  private static final String APP = "wxbench";

  @Test
  void heapPerUserWithOneFormIdAndAfterOneDelivery() throws Exception {
    int count = Integer.getInteger("sim.memory.users", 1_000_000);
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
      assertThat(sends.template(APP, body, now).errcode()).isZero();
    }
    long delivered = usedHeap();
    Reference.reachabilityFence(users);

    System.out.printf("SIM_MEMORY users=%d minted=%.0f bytes/user delivered=%.0f bytes/user (message %.0f bytes)%n",
        count, (minted - empty) / (double) count, (delivered - empty) / (double) count, (delivered - minted) / (double) count);
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
        if (pool.getType() == java.lang.management.MemoryType.HEAP && pool.getCollectionUsage() != null) {
          used += pool.getCollectionUsage().getUsed();
        }
      }
    }
    return used;
  }
}
