package io.wxpush.config;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Every environment variable a wxpush server process (ingest-api, push-worker) reads, declared once: its name, kind of value,
 * default, which processes read it and what it means. {@link Env} reads through this table (a
 * default lives only here), the README's configuration tables are generated from it and checked
 * by a test ({@code SettingsTableTest}), and deploy-check's compose and Kubernetes checks take the
 * variables each process reads from it.
 */
public enum Setting implements Variable {
  KAFKA_BOOTSTRAP_SERVERS(Kind.TEXT, "localhost:9092", Process.SERVICES, "Kafka brokers, `host:port[,…]`"),
  KAFKA_TOPIC_PREFIX(Kind.TEXT, "wxpush.", Process.SERVICES, "prefix of every topic and consumer group"),
  KAFKA_TOPIC_PARTITIONS(Kind.INTEGER, "12", Process.SERVICES, "partitions of topics a process creates"),
  KAFKA_REPLICATION_FACTOR(Kind.INTEGER, "0", Process.SERVICES, "replicas of topics a process creates (0 = the broker's default)"),
  REDIS_URL(Kind.TEXT, "redis://localhost:6379", Process.SERVICES,
      "`redis://host:port` (one server) or `redis-cluster://h1:p1,h2:p2` (Redis Cluster)"),
  REDIS_KEY_PREFIX(Kind.TEXT, "wxpush:", Process.SERVICES, "prefix of every Redis key"),
  WECHAT_API_BASE(Kind.URL, "https://api.weixin.qq.com", Process.SERVICES, "WeChat API root (wechat-sim's URL for demos and tests)"),
  WECHAT_APPS(Kind.SECRET, null, Process.SERVICES, "the mini-programs, `appId:secret[:token[:encodingAesKey]][,…]`; token and key are the app's message-push settings (for `/v1/wechat/{appId}/events`)"),
  WECHAT_TIMEOUT(Kind.DURATION, "10s", Process.SERVICES,
      "whole-call time-out of one WeChat call; a send attempt's ledger lease is this plus 5 s"),
  HTTP_PORT(Kind.INTEGER, null, Process.SERVICES, "the process's HTTP port (API, or a worker's health and metrics)"),
  GRANT_SOURCE(Kind.TEXT, "", Process.SERVICES, "where each app's subscribe grants come from, `appId:client|events|both[,…]`"
      + " (`client` for apps not listed): client uploads, WeChat's popup events, or both (see Events)"),
  POOL_CAP_PER_USER(Kind.INTEGER, "200", Process.SERVICES, "most credential entries kept per user and pool (the freshest win)"),
  QUIET_HOURS(Kind.TEXT, "", Process.SERVICES, "default quiet hours of an app without a stored policy, `22:00-08:00[@Asia/Shanghai]`"
      + " (empty: none); see Policy"),
  MAX_PER_USER_PER_DAY(Kind.INTEGER, "0", Process.SERVICES, "default frequency cap of an app without a stored policy: messages per user"
      + " per day (0: no cap)"),
  RESERVE_LAST(Kind.TEXT, "false", Process.SERVICES, "default of an app without a stored policy: `true` keeps a user's last credential"
      + " from `low` pushes"),

  SESSION_SIGNING_KEY(Kind.SECRET, null, Process.API, "HMAC key of session tokens, at least 32 bytes"),
  PUSH_API_KEYS(Kind.SECRET, null, Process.API, "`key[=appId|appId…][,…]` business services present as `Authorization: Bearer`;"
      + " a key with `=` acts only for the apps it lists, a bare key for every app; keys of at least 24 characters"),
  TRUSTED_PROXIES(Kind.TEXT, "", Process.API, "CIDRs of your load balancers, e.g. `10.0.0.0/8,fd00::/8`: only from these is"
      + " `X-Forwarded-For` read for the client address of the per-address limits"),
  SESSIONS_PER_ADDRESS_PER_MINUTE(Kind.INTEGER, "120", Process.API,
      "`POST /v1/sessions` per client address per minute (each spends the app's `jscode2session` quota)"),
  TEMPLATE_REFRESH(Kind.DURATION, "5m", Process.API, "how often each app's subscribe template list is read from WeChat"),
  QUOTA_REFRESH(Kind.DURATION, "5m", Process.API, "how often each app's subscribe-send quota is read from WeChat (`quota/get`;"
      + " also soon after a 45009)"),
  LEGACY_TEMPLATES(Kind.TEXT, "", Process.API, "legacy template-message templates to check pushes against,"
      + " `appId:templateId[:kw1|kw2…]` separated by `,` (unlisted legacy templates are not checked)"),
  SESSION_TTL(Kind.DURATION, "7d", Process.API, "lifetime of a session token"),
  UPLOADS_PER_USER_PER_MINUTE(Kind.INTEGER, "60", Process.API, "credential uploads per user per minute (across instances: see below)"),
  KAFKA_ACK_TIMEOUT(Kind.DURATION, "5s", Process.API, "how long a request waits for Kafka before it is answered 503"),
  CALLBACK_TIMEOUT(Kind.DURATION, "5s", Process.API, "deadline of one `callbackUrl` POST, from connecting to the answer's last byte"),
  CALLBACK_CONCURRENCY(Kind.INTEGER, "8", Process.API,
      "`callbackUrl` POSTs in flight at once per app and ingest-api: one app's slow receivers never hold another app's callbacks"),
  CALLBACK_ALLOW_PRIVATE(Kind.TEXT, "false", Process.API,
      "`true` lets `callbackUrl` reach loopback, link-local and private addresses (tests, a private network); refused otherwise"),

  MAX_GRANT_TEMPLATES(Kind.INTEGER, "50", Process.WORKER,
      "most subscribe templates one user holds grants for; grants of a further template are not stored (counted in `wxpush.credentials.grants.refused`)"),
  WORKER_ROLES(Kind.TEXT, "credentials,fanout,sender", Process.WORKER, "the roles this worker runs, any subset"),
  SINK_BATCH(Kind.INTEGER, "2000", Process.WORKER, "most credential records written to Redis per pipeline"),
  SWEEP_INTERVAL(Kind.DURATION, "10m", Process.WORKER,
      "how often each credentials-role process sweeps the index shards it owns (expired credentials, departed users)"),
  LEDGER_GRACE(Kind.DURATION, "24h", Process.WORKER,
      "how long a push's per-user state (final send-ledger entries, outcomes) is kept once written; a task that begins more"
          + " than this after its push's fan-out started sends nothing (`push_expired`)"),
  FANOUT_PAGE(Kind.INTEGER, "500", Process.WORKER, "users per fan-out page"),
  SENDER_MODE(Kind.TEXT, "share", Process.WORKER, "`share` (a share group, Kafka ≥ 4.2) or `classic` (a consumer group)"),
  SENDER_CONCURRENCY(Kind.INTEGER, "1024", Process.WORKER, "sends in flight per process"),
  SENDER_CONSUMERS(Kind.INTEGER, "4", Process.WORKER, "task consumers per process"),
  SEND_RATE_PER_APP(Kind.INTEGER, "0", Process.WORKER, "fleet-wide sends per second per app (0: the rate WeChat reports in `quota/get`, if any; see Quota)"),
  SEND_MAX_ATTEMPTS(Kind.INTEGER, "5", Process.WORKER, "transient failures of one task in one delivery before the DLQ"),
  TASK_MAX_DELIVERIES(Kind.INTEGER, "5", Process.WORKER, "deliveries of a task before it gives up into the DLQ, 2–9: the"
      + " senders' share group gets a delivery limit one above it (`share.delivery.count.limit`, at most 10 on a default broker),"
      + " so a crash in the last delivery leaves one to dead-letter the task"),
  TASK_LOCK(Kind.DURATION, "30s", Process.WORKER,
      "the senders' share-group record lock (`share.record.lock.duration.ms`, 15–60 s on a default broker); in classic mode the"
          + " time one poll's tasks may take; at least `WECHAT_TIMEOUT` + 5 s"),
  TOKEN_ENDPOINT(Kind.TEXT, "stable", Process.SERVICES, "`stable` (`cgi-bin/stable_token`) or `legacy` (`cgi-bin/token`)");

  /** The kind of value, as the README describes it. */
  public enum Kind { TEXT, INTEGER, DURATION, URL, SECRET, RATE }

  /** The server's runnable processes, as deployed (wechat-sim, the stand-in, has its own table: {@code SimSetting}). */
  public enum Process {
    INGEST_API("ingest-api", 8080), PUSH_WORKER("push-worker", 8081);

    static final Set<Process> SERVICES = EnumSet.of(INGEST_API, PUSH_WORKER);
    static final Set<Process> API = EnumSet.of(INGEST_API);
    static final Set<Process> WORKER = EnumSet.of(PUSH_WORKER);

    private final String module;
    private final int httpPort;

    Process(String module, int httpPort) {
      this.module = module;
      this.httpPort = httpPort;
    }

    /** The Maven module and image name. */
    public String module() {
      return module;
    }

    /** Its {@code HTTP_PORT} default. */
    public int httpPort() {
      return httpPort;
    }

    public static Process ofModule(String module) {
      for (Process p : values()) if (p.module.equals(module)) return p;
      throw new IllegalArgumentException("no process " + module);
    }
  }

  private final Kind kind;
  private final String defaultValue;
  private final Set<Process> readBy;
  private final String meaning;

  Setting(Kind kind, String defaultValue, Set<Process> readBy, String meaning) {
    this.kind = kind;
    this.defaultValue = defaultValue;
    this.readBy = Set.copyOf(readBy);
    this.meaning = meaning;
  }

  @Override
  public Kind kind() {
    return kind;
  }

  /** The default as written in the environment; empty for required settings ({@code HTTP_PORT}: per process). */
  @Override
  public Optional<String> defaultValue() {
    return Optional.ofNullable(defaultValue);
  }

  /** The default {@code process} uses. */
  public Optional<String> defaultFor(Process process) {
    return this == HTTP_PORT ? Optional.of(Integer.toString(process.httpPort())) : defaultValue();
  }

  /** True when the process refuses to start without it. */
  public boolean requiredBy(Process process) {
    return readBy.contains(process) && defaultFor(process).isEmpty();
  }

  public Set<Process> readBy() {
    return readBy;
  }

  @Override
  public String meaning() {
    return meaning;
  }

  /** The settings {@code process} reads, in table order. */
  public static List<Setting> readBy(Process process) {
    List<Setting> out = new ArrayList<>();
    for (Setting s : values()) if (s.readBy.contains(process)) out.add(s);
    return out;
  }

  /**
   * The Markdown table of the settings any of {@code processes} read — what the README shows.
   * With several processes a column says which reads each; defaults are per process where they differ.
   */
  public static String markdownTable(Set<Process> processes) {
    boolean several = processes.size() > 1;
    StringBuilder out = new StringBuilder(several ? "| variable | meaning | default | read by |\n|---|---|---|---|\n"
        : "| variable | meaning | default |\n|---|---|---|\n");
    for (Setting s : values()) {
      List<Process> readers = s.readBy.stream().filter(processes::contains).sorted().toList();
      if (readers.isEmpty()) continue;
      out.append("| `").append(s.name()).append("` | ").append(s.meaning.replace("|", "\\|")).append(" | ")
          .append(defaultCell(s, readers)).append(" |");
      if (several) out.append(' ').append(String.join(", ", readers.stream().map(Process::module).toList())).append(" |");
      out.append('\n');
    }
    return out.toString();
  }

  private static String defaultCell(Setting s, List<Process> readers) {
    if (s == HTTP_PORT) return String.join(", ", readers.stream().map(p -> "`" + p.httpPort() + "` " + p.module()).toList());
    return Variable.defaultCell(s.defaultValue());
  }
}
