package io.wxpush.demo;

import java.net.URI;
import java.util.Map;

/**
 * What the demo driver was asked to do, from its command line and environment.
 *
 * @param ingest root of ingest-api, e.g. {@code http://127.0.0.1:8080}
 * @param sim root of wechat-sim, e.g. {@code http://127.0.0.1:8090}
 * @param appId the mini-program the simulated users belong to
 * @param pushApiKey a key of {@code PUSH_API_KEYS}, read from {@code DEMO_PUSH_API_KEY} (never argv,
 *     where {@code ps} would show it)
 * @param users how many simulated users log in, default 3,000
 * @param terminal whether progress lines may redraw in place ({@code --tty})
 * @param runId names this run's push request ids
 */
record DemoOptions(URI ingest, URI sim, String appId, String pushApiKey, int users, boolean terminal, String runId) {
  static final String TEMPLATE_ID = "TPL_ORDER";
  static final String SUBSCRIBE_ID = "TPL_SUB";

  static DemoOptions parse(String[] args, Map<String, String> env) {
    URI ingest = URI.create("http://127.0.0.1:8080");
    URI sim = URI.create("http://127.0.0.1:8090");
    String app = "wxdemo";
    int users = 3_000;
    boolean tty = false;
    String runId = Long.toString(System.currentTimeMillis());
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      switch (a) {
        case "--ingest" -> ingest = URI.create(value(args, ++i, a));
        case "--sim" -> sim = URI.create(value(args, ++i, a));
        case "--app" -> app = value(args, ++i, a);
        case "--run-id" -> runId = value(args, ++i, a);
        case "--tty" -> tty = true;
        case "--users" -> {
          String v = value(args, ++i, a);
          try {
            users = Integer.parseInt(v);
          } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--users must be a whole number, got '" + v + "'");
          }
          if (users < 10 || users > 1_000_000) throw new IllegalArgumentException("--users must be between 10 and 1000000");
        }
        default -> throw new IllegalArgumentException("unknown option " + a
            + " (options: --ingest URL --sim URL --app ID --users N --run-id ID --tty)");
      }
    }
    String key = env.get("DEMO_PUSH_API_KEY");
    if (key == null || key.isBlank()) throw new IllegalArgumentException("DEMO_PUSH_API_KEY must hold a key of ingest-api's PUSH_API_KEYS");
    return new DemoOptions(ingest, sim, app, key, users, tty, runId);
  }

  private static String value(String[] args, int i, String option) {
    if (i >= args.length) throw new IllegalArgumentException(option + " needs a value");
    return args[i];
  }
}
