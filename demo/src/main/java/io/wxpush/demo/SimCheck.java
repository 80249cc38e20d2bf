package io.wxpush.demo;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Checks the pushes' counts against what the sim actually delivered: its {@code /sim/stats}
 * and every simulated user's inbox. Blocking.
 */
final class SimCheck {
  /** One comparison; {@code ok} when expected equals actual. */
  record Check(String what, long expected, long actual) {
    boolean ok() {
      return expected == actual;
    }
  }

  private final DemoHttp http;
  private final DemoOptions options;

  SimCheck(DemoHttp http, DemoOptions options) {
    this.http = http;
    this.options = options;
  }

  List<Check> run(UserPlan plan, PushRun.Outcome broadcast, PushRun.Outcome targeted) throws InterruptedException {
    JsonNode stats = http.get(options.sim().resolve("/sim/stats"), null).require("GET /sim/stats");
    AtomicLong messages = new AtomicLong(), usersWithMessages = new AtomicLong(), wrongInboxes = new AtomicLong();
    ConcurrentHashMap<String, AtomicLong> byTemplate = new ConcurrentHashMap<>();
    Semaphore slots = new Semaphore(64);
    try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
      for (UserPlan.User u : plan.users()) {
        slots.acquire();
        pool.submit(() -> {
          try {
            JsonNode inbox = http.get(options.sim().resolve("/sim/users/" + options.appId() + "/" + u.openId() + "/inbox"), null)
                .require("GET /sim/users/{app}/{openId}/inbox").path("messages");
            messages.addAndGet(inbox.size());
            if (!inbox.isEmpty()) usersWithMessages.incrementAndGet();
            if (inbox.size() != u.expectedMessages()) wrongInboxes.incrementAndGet();
            inbox.forEach(m -> byTemplate.computeIfAbsent(m.path("templateId").asText(), t -> new AtomicLong()).incrementAndGet());
          } finally {
            slots.release();
          }
        });
      }
    }
    long sent = broadcast.status().sent() + targeted.status().sent();
    List<Check> checks = new ArrayList<>();
    checks.add(new Check("sim delivered == sent (broadcast + targeted)", sent, stats.path("delivered").asLong()));
    checks.add(new Check("messages in the users' inboxes == sent", sent, messages.get()));
    checks.add(new Check("sim usersWithMessages == users with an inbox message", usersWithMessages.get(), stats.path("usersWithMessages").asLong()));
    checks.add(new Check("broadcast messages (" + DemoOptions.TEMPLATE_ID + ") in inboxes == broadcast sent",
        broadcast.status().sent(), count(byTemplate, DemoOptions.TEMPLATE_ID)));
    checks.add(new Check("targeted messages (" + DemoOptions.SUBSCRIBE_ID + ") in inboxes == targeted sent",
        targeted.status().sent(), count(byTemplate, DemoOptions.SUBSCRIBE_ID)));
    checks.add(new Check("users whose inbox differs from 1 message per push sent to them", 0, wrongInboxes.get()));
    checks.add(new Check("broadcast sent == users who uploaded a form_id or prepay_id", plan.templateReachable(), broadcast.status().sent()));
    checks.add(new Check("targeted sent == listed users with a grant", plan.targetedWithGrant(), targeted.status().sent()));
    checks.add(new Check("targeted noCredential == listed users without a grant",
        plan.targeted().size() - plan.targetedWithGrant(), targeted.status().noCredential()));
    checks.add(new Check("failed + unknown, both pushes", 0, broadcast.status().failed() + broadcast.status().unknown()
        + targeted.status().failed() + targeted.status().unknown()));
    return checks;
  }

  private static long count(ConcurrentHashMap<String, AtomicLong> byTemplate, String templateId) {
    AtomicLong n = byTemplate.get(templateId);
    return n == null ? 0 : n.get();
  }
}
