package io.wxpush.demo;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Waits until every uploaded credential has reached the Redis pools (the upload answers once
 * Kafka has it; the credentials role of the workers writes it to Redis a moment later), by
 * asking {@code GET /v1/users/{openId}/credentials} for each uploader until the counts match
 * the plan. Blocks; gives up after the time limit.
 */
final class PoolWait {
  private final DemoHttp http;
  private final DemoOptions options;
  final AtomicInteger landed = new AtomicInteger();

  PoolWait(DemoHttp http, DemoOptions options) {
    this.http = http;
    this.options = options;
  }

  /** Answers the users whose credentials had not all landed within {@code limit} (empty = all did). */
  List<UserPlan.User> await(UserPlan plan, Duration limit) throws InterruptedException {
    List<UserPlan.User> pending = new ArrayList<>(plan.users().stream().filter(UserPlan.User::uploads).toList());
    long deadline = System.nanoTime() + limit.toNanos();
    while (!pending.isEmpty() && System.nanoTime() < deadline) {
      ConcurrentLinkedQueue<UserPlan.User> still = new ConcurrentLinkedQueue<>();
      Semaphore slots = new Semaphore(64);
      try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
        for (UserPlan.User u : pending) {
          slots.acquire();
          pool.submit(() -> {
            try {
              if (inPool(u)) landed.incrementAndGet();
              else still.add(u);
            } catch (RuntimeException e) {
              still.add(u);
            } finally {
              slots.release();
            }
          });
        }
      }
      pending = new ArrayList<>(still);
      if (!pending.isEmpty()) Thread.sleep(250);
    }
    return pending;
  }

  private boolean inPool(UserPlan.User u) {
    URI uri = options.ingest().resolve("/v1/users/" + u.openId() + "/credentials?appId=" + options.appId());
    JsonNode c = http.get(uri, options.pushApiKey()).require("GET /v1/users/{openId}/credentials");
    return c.path("formIds").asInt() == u.formIds()
        && c.path("prepayIds").asInt() == u.prepayIds()
        && c.path("grants").path(DemoOptions.SUBSCRIBE_ID).asInt() == u.grants();
  }
}
