package io.wxpush.demo;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Plays the phones of a {@link UserPlan}: each user gets a {@code wx.login} code and credentials
 * from the sim (as WeChat would hand them to the mini-program), logs in with
 * {@code POST /v1/sessions} and uploads with {@code POST /v1/credentials}. Users run on virtual
 * threads, at most {@value #IN_FLIGHT} at a time. Blocks until every user is done.
 */
final class SimulatedUsers {
  private static final int IN_FLIGHT = 32;
  private static final int LOGIN_ATTEMPTS = 5;
  private static final int GIVE_UP_AFTER = 20;
  private final DemoHttp http;
  private final DemoOptions options;
  final AtomicInteger loggedIn = new AtomicInteger();
  final AtomicInteger uploaded = new AtomicInteger();
  final AtomicInteger credentials = new AtomicInteger();
  final AtomicInteger loginRetries = new AtomicInteger();
  private final ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();

  SimulatedUsers(DemoHttp http, DemoOptions options) {
    this.http = http;
    this.options = options;
  }

  /** Runs every user of the plan; answers the problems met (empty when all went well). */
  List<String> run(UserPlan plan) throws InterruptedException {
    Semaphore slots = new Semaphore(IN_FLIGHT);
    try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
      for (UserPlan.User user : plan.users()) {
        if (problems.size() >= GIVE_UP_AFTER) break; // the API is down or refusing: say so now, not in minutes
        slots.acquire();
        pool.submit(() -> {
          try {
            play(user);
          } catch (RuntimeException e) {
            problems.add(user.openId() + ": " + e.getMessage());
          } finally {
            slots.release();
          }
        });
      }
    }
    return new ArrayList<>(problems);
  }

  private void play(UserPlan.User user) {
    JsonNode session = login(user);
    if (!user.openId().equals(session.path("openId").asText())) {
      throw new IllegalStateException("session for " + user.openId() + " came back as " + session.path("openId"));
    }
    loggedIn.incrementAndGet();
    if (!user.uploads()) return;

    long now = System.currentTimeMillis();
    List<Map<String, Object>> upload = new ArrayList<>();
    if (user.formIds() > 0) {
      mint(user, "form-ids?count=" + user.formIds(), "formIds", v -> upload.add(Map.of("kind", "form_id", "value", v, "collectedAt", now)));
    }
    if (user.prepayIds() > 0) {
      mint(user, "prepay-ids?count=" + user.prepayIds(), "prepayIds", v -> upload.add(Map.of("kind", "prepay_id", "value", v, "collectedAt", now)));
    }
    if (user.grants() > 0) {
      JsonNode grants = http.post(sim(user, "grants"), null, Map.of("templateId", DemoOptions.SUBSCRIBE_ID, "count", user.grants()))
          .require("sim grants");
      grants.path("grantIds").forEach(g -> upload.add(Map.of("kind", "subscription", "templateId", DemoOptions.SUBSCRIBE_ID,
          "value", g.asText(), "collectedAt", now)));
    }
    JsonNode answer = http.post(options.ingest().resolve("/v1/credentials"), session.path("token").asText(),
        Map.of("credentials", upload)).require("POST /v1/credentials");
    if (answer.path("accepted").asInt() != upload.size() || !answer.path("rejected").isEmpty()) {
      throw new IllegalStateException("upload of " + upload.size() + " credentials answered " + answer);
    }
    credentials.addAndGet(upload.size());
    uploaded.incrementAndGet();
  }

  /**
   * {@code wx.login} then {@code POST /v1/sessions}. A login code is single-use, so when the
   * exchange fails (WeChat slow, 503) the phone asks for a new code, as a mini-program would.
   */
  private JsonNode login(UserPlan.User user) {
    DemoHttp.Reply reply = null;
    for (int attempt = 1; attempt <= LOGIN_ATTEMPTS; attempt++) {
      String code = http.post(sim(user, "login-code"), null, null).require("sim login-code").path("code").asText();
      reply = http.postOnce(options.ingest().resolve("/v1/sessions"), null, Map.of("appId", options.appId(), "code", code));
      if (reply.ok()) return reply.body();
      boolean retry = reply.status() == 0 || reply.status() == 503 || reply.status() == 429
          || "invalid_code".equals(reply.body().path("error").path("code").asText());
      if (!retry) break;
      loginRetries.incrementAndGet();
      pause(attempt);
    }
    return reply.require("POST /v1/sessions");
  }

  private static void pause(int attempt) {
    try {
      Thread.sleep(250L * attempt);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void mint(UserPlan.User user, String path, String field, Consumer<String> each) {
    http.post(sim(user, path), null, null).require("sim " + field).path(field).forEach(v -> each.accept(v.asText()));
  }

  private URI sim(UserPlan.User user, String path) {
    return options.sim().resolve("/sim/users/" + options.appId() + "/" + user.openId() + "/" + path);
  }
}
