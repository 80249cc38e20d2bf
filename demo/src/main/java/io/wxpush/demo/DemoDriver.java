package io.wxpush.demo;

import io.wxpush.client.HttpPushClient;
import io.wxpush.client.PushRequest;
import io.wxpush.client.PushStatus;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;

/**
 * The demo of {@code scripts/demo.sh}: simulated users log in and upload credentials, then one
 * broadcast and one targeted push run, with live progress; a summary follows, checked against
 * the sim's inboxes. Speaks only the public API of ingest-api, pushes through the client artifact
 * ({@link HttpPushClient}, {@link PushRequest}'s builder) as a business service would, the rest
 * through {@link DemoHttp}; the sim's {@code /sim/…} endpoints play the phones and tell what was
 * delivered.
 *
 * <p>Exit status: 0 when every count matches the sim, 1 when one does not, 2 on a usage error or
 * a failed call.
 */
public final class DemoDriver {
  private final DemoOptions options;
  private final DemoHttp http = new DemoHttp();
  private final PrintStream out = System.out;

  private DemoDriver(DemoOptions options) {
    this.options = options;
  }

  public static void main(String[] args) {
    DemoOptions options;
    try {
      options = DemoOptions.parse(args, System.getenv());
    } catch (IllegalArgumentException e) {
      System.err.println("demo: " + e.getMessage());
      System.exit(2);
      return;
    }
    int status;
    try {
      status = new DemoDriver(options).run();
    } catch (RuntimeException e) {
      System.out.println();
      System.err.println("demo: " + e.getMessage());
      status = 2;
    } catch (InterruptedException e) {
      status = 2;
    }
    System.exit(status);
  }

  private int run() throws InterruptedException {
    UserPlan plan = UserPlan.make(options.users(), options.users());
    long startAll = System.nanoTime();

    out.printf("%n1. %,d simulated users log in (POST /v1/sessions); %,d upload credentials (POST /v1/credentials)%n",
        plan.users().size(), plan.uploaders());
    SimulatedUsers phones = new SimulatedUsers(http, options);
    List<String> problems;
    try (var p = new ProgressLine(out, options.terminal(), () -> String.format("logged in %,d/%,d   uploaded %,d/%,d users (%,d credentials)%s",
        phones.loggedIn.get(), plan.users().size(), phones.uploaded.get(), plan.uploaders(), phones.credentials.get(),
        phones.loginRetries.get() == 0 ? "" : String.format("   login retries %,d", phones.loginRetries.get())))) {
      problems = phones.run(plan);
    }
    if (!problems.isEmpty()) {
      System.err.printf("demo: %d users failed, e.g.%n", problems.size());
      problems.stream().limit(5).forEach(pr -> System.err.println("  " + pr));
      return 2;
    }

    out.printf("%n2. waiting until every upload is in the Redis pools (GET /v1/users/{openId}/credentials)%n");
    PoolWait wait = new PoolWait(http, options);
    List<UserPlan.User> missing;
    try (var p = new ProgressLine(out, options.terminal(), () -> String.format("in the pools: %,d/%,d users", wait.landed.get(), plan.uploaders()))) {
      missing = wait.await(plan, Duration.ofMinutes(2));
    }
    if (!missing.isEmpty()) {
      System.err.printf("demo: credentials of %d users did not reach the pools within 2 minutes (e.g. %s); see the push-worker logs%n",
          missing.size(), missing.getFirst().openId());
      return 2;
    }

    PushRun.Outcome broadcast;
    PushRun.Outcome targeted;
    try (HttpPushClient client = new HttpPushClient(options.ingest(), options.pushApiKey(), Duration.ofSeconds(30))) {
      PushRun pushes = new PushRun(client, options.terminal(), out);
      out.printf("%n3. broadcast: kind template, audience all (POST /v1/pushes)%n");
      broadcast = pushes.run("broadcast", broadcast(), Duration.ofMinutes(10));
      out.printf("%n4. targeted: kind subscribe to %,d listed users, %,d of them with a grant%n",
          plan.targeted().size(), plan.targetedWithGrant());
      targeted = pushes.run("targeted", targeted(plan), Duration.ofMinutes(5));
    }

    summary(List.of(broadcast, targeted), Duration.ofNanos(System.nanoTime() - startAll));

    out.printf("%nChecking against the sim (GET /sim/stats and all %,d inboxes):%n", plan.users().size());
    List<SimCheck.Check> checks = new SimCheck(http, options).run(plan, broadcast, targeted);
    for (SimCheck.Check c : checks) {
      out.printf("  %s %-66s expected %,8d  got %,8d%n", c.ok() ? "ok  " : "FAIL", c.what(), c.expected(), c.actual());
    }
    long failed = checks.stream().filter(c -> !c.ok()).count();
    if (failed == 0) {
      out.printf("%nRESULT: counts match the sim's inboxes.%n");
      return 0;
    }
    out.printf("%nRESULT: %d of %d checks FAILED: the counts do not match the sim's inboxes.%n", failed, checks.size());
    return 1;
  }

  private PushRequest broadcast() {
    return PushRequest.template(options.appId(), DemoOptions.TEMPLATE_ID).requestId(options.runId() + "-broadcast")
        .page("pages/index/index").data("keyword1", "Spring sale").data("keyword2", "starts today").toEveryone().build();
  }

  private PushRequest targeted(UserPlan plan) {
    return PushRequest.subscribe(options.appId(), DemoOptions.SUBSCRIBE_ID).requestId(options.runId() + "-targeted")
        .page("pages/order/index").data("thing1", "Your parcel shipped").data("time2", "2025-06-01 12:00")
        .toUsers(plan.targeted()).build();
  }

  private void summary(List<PushRun.Outcome> outcomes, Duration total) {
    out.printf("%nSummary%n");
    String header = String.format("  %-10s %-10s %8s %8s %13s %7s %8s %9s %9s", "push", "kind", "targets", "sent",
        "noCredential", "failed", "unknown", "elapsed", "sends/s");
    out.println(header);
    out.println("  " + "-".repeat(header.length() - 2));
    for (PushRun.Outcome o : outcomes) {
      PushStatus s = o.status();
      out.printf("  %-10s %-10s %,8d %,8d %,13d %,7d %,8d %8.1fs %,9.0f%n", o.label(), o.kind(), s.targets(),
          s.sent(), s.noCredential(), s.failed(), s.unknown(), o.elapsed().toMillis() / 1000.0, o.sendsPerSecond());
    }
    out.printf("  demo total %.1f s (logins, uploads and both pushes)%n", total.toMillis() / 1000.0);
    out.printf("%nPush status (needs the push API key, see below):%n");
    for (PushRun.Outcome o : outcomes) out.printf("  %-10s %s%n", o.label(), options.ingest().resolve("/v1/pushes/" + o.requestId() + "?appId=" + options.appId()));
  }
}
