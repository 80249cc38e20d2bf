package io.wxpush.sim;

import io.wxpush.secret.Secret;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * How a {@link WeChatSim} starts: where it listens, which apps it knows, the templates and
 * faults it has from the first request. Immutable; build one with {@link #builder()}.
 * {@link WeChatSim#reset()} returns the sim to exactly this configuration.
 */
public final class SimConfig {
  private final String host;
  private final int port;
  private final Map<String, Secret> apps;
  private final List<SimTemplate> templates;
  private final Duration tokenTtl;
  private final Duration latency;
  private final Duration latencyJitter;
  private final double systemErrorRate;
  private final double http500Rate;
  private final double http503Rate;
  private final double hangBeforeRate;
  private final double hangAfterDeliveryRate;
  private final double gatewayErrorAfterDeliveryRate;
  private final double resetAfterDeliveryRate;
  private final Duration hangFor;
  private final Map<String, Long> dailyQuotas;
  private final Map<String, Integer> rateLimits;
  private final long maxRequestBytes;
  private final int requestLogCapacity;
  private final CredentialCodec.IdFormat idFormat;

  private SimConfig(Builder b) {
    host = b.host;
    port = b.port;
    apps = Map.copyOf(b.apps);
    templates = List.copyOf(b.templates);
    tokenTtl = b.tokenTtl;
    latency = b.latency;
    latencyJitter = b.latencyJitter;
    systemErrorRate = b.systemErrorRate;
    http500Rate = b.http500Rate;
    http503Rate = b.http503Rate;
    hangBeforeRate = b.hangBeforeRate;
    hangAfterDeliveryRate = b.hangAfterDeliveryRate;
    gatewayErrorAfterDeliveryRate = b.gatewayErrorAfterDeliveryRate;
    resetAfterDeliveryRate = b.resetAfterDeliveryRate;
    hangFor = b.hangFor;
    dailyQuotas = Map.copyOf(b.dailyQuotas);
    rateLimits = Map.copyOf(b.rateLimits);
    maxRequestBytes = b.maxRequestBytes;
    requestLogCapacity = b.requestLogCapacity;
    idFormat = b.idFormat;
  }

  public static Builder builder() {
    return new Builder();
  }

  public String host() { return host; }
  public int port() { return port; }
  /** appId → app secret. */
  public Map<String, Secret> apps() { return apps; }
  public List<SimTemplate> templates() { return templates; }
  /** Lifetime of an access token, {@code expires_in}; default 7200 s. */
  public Duration tokenTtl() { return tokenTtl; }
  public Duration latency() { return latency; }
  public Duration latencyJitter() { return latencyJitter; }
  public double systemErrorRate() { return systemErrorRate; }
  public double http500Rate() { return http500Rate; }
  public double http503Rate() { return http503Rate; }
  public double hangBeforeRate() { return hangBeforeRate; }
  public double hangAfterDeliveryRate() { return hangAfterDeliveryRate; }
  public double gatewayErrorAfterDeliveryRate() { return gatewayErrorAfterDeliveryRate; }
  public double resetAfterDeliveryRate() { return resetAfterDeliveryRate; }
  public Duration hangFor() { return hangFor; }
  public Map<String, Long> dailyQuotas() { return dailyQuotas; }
  public Map<String, Integer> rateLimits() { return rateLimits; }
  public long maxRequestBytes() { return maxRequestBytes; }
  /** Requests the request log keeps (the newest); 0 records none. */
  public int requestLogCapacity() { return requestLogCapacity; }

  /** Whether minted form_ids/prepay_ids have the sim's short shape or WeChat's real one (32 hex; {@code wx} + 34). */
  public boolean realIds() { return idFormat == CredentialCodec.IdFormat.REAL; }

  CredentialCodec.IdFormat idFormat() { return idFormat; }

  /** Collects settings; every setter rejects a bad value at once, naming the field. */
  public static final class Builder {
    private String host = "0.0.0.0";
    private int port = 8090;
    private final Map<String, Secret> apps = new LinkedHashMap<>();
    private final List<SimTemplate> templates = new ArrayList<>();
    private Duration tokenTtl = Duration.ofSeconds(7200);
    private Duration latency = Duration.ZERO;
    private Duration latencyJitter = Duration.ZERO;
    private double systemErrorRate;
    private double http500Rate;
    private double http503Rate;
    private double hangBeforeRate;
    private double hangAfterDeliveryRate;
    private double gatewayErrorAfterDeliveryRate;
    private double resetAfterDeliveryRate;
    private Duration hangFor = Duration.ofSeconds(30);
    private final Map<String, Long> dailyQuotas = new LinkedHashMap<>();
    private final Map<String, Integer> rateLimits = new LinkedHashMap<>();
    private long maxRequestBytes = 16L * 1024 * 1024;
    private int requestLogCapacity = 1000;
    private CredentialCodec.IdFormat idFormat = CredentialCodec.IdFormat.SIM;

    private Builder() {}

    /** Interface to bind, default {@code 0.0.0.0}. */
    public Builder host(String host) {
      this.host = Objects.requireNonNull(host, "host");
      return this;
    }

    /** Port to listen on, 0 for any free port; default 8090. */
    public Builder port(int port) {
      if (port < 0 || port > 65535) throw new IllegalArgumentException("port must be 0-65535: " + port);
      this.port = port;
      return this;
    }

    public Builder app(String appId, String secret) {
      return app(appId, Secret.of(secret));
    }

    public Builder app(String appId, Secret secret) {
      if (appId == null || appId.isBlank()) throw new IllegalArgumentException("appId is blank");
      apps.put(appId, Objects.requireNonNull(secret, "secret"));
      return this;
    }

    public Builder apps(Map<String, Secret> apps) {
      apps.forEach(this::app);
      return this;
    }

    /** A template registered at start (and again after every reset). */
    public Builder template(SimTemplate template) {
      templates.add(Objects.requireNonNull(template, "template"));
      return this;
    }

    public Builder tokenTtl(Duration ttl) {
      if (ttl == null || ttl.compareTo(Duration.ofMinutes(10)) < 0) throw new IllegalArgumentException("tokenTtl must be at least 10 minutes");
      this.tokenTtl = ttl;
      return this;
    }

    /** Latency added to each send: {@code fixed} plus a uniform random part in [0, randomExtra]. */
    public Builder latency(Duration fixed, Duration randomExtra) {
      this.latency = nonNegative(fixed, "latency");
      this.latencyJitter = nonNegative(randomExtra, "latencyJitter");
      return this;
    }

    public Builder systemErrorRate(double rate) {
      this.systemErrorRate = rate(rate, "systemErrorRate");
      return this;
    }

    public Builder http500Rate(double rate) {
      this.http500Rate = rate(rate, "http500Rate");
      return this;
    }

    public Builder http503Rate(double rate) {
      this.http503Rate = rate(rate, "http503Rate");
      return this;
    }

    public Builder hangBeforeRate(double rate) {
      this.hangBeforeRate = rate(rate, "hangBeforeRate");
      return this;
    }

    public Builder hangAfterDeliveryRate(double rate) {
      this.hangAfterDeliveryRate = rate(rate, "hangAfterDeliveryRate");
      return this;
    }

    /** Fraction of delivered sends answered HTTP 502, as a gateway in front of WeChat may. */
    public Builder gatewayErrorAfterDeliveryRate(double rate) {
      this.gatewayErrorAfterDeliveryRate = rate(rate, "http5xxAfterDeliveryRate");
      return this;
    }

    /** Fraction of delivered sends whose connection is reset instead of answered. */
    public Builder resetAfterDeliveryRate(double rate) {
      this.resetAfterDeliveryRate = rate(rate, "resetAfterDeliveryRate");
      return this;
    }

    /** How long a hung request hangs (both modes); default 30 s. */
    public Builder hangFor(Duration hangFor) {
      this.hangFor = nonNegative(hangFor, "hangFor");
      return this;
    }

    /** Sends per app per (sim) day before 45009. */
    public Builder dailyQuota(String appId, long sends) {
      if (sends < 0) throw new IllegalArgumentException("dailyQuota must be >= 0: " + sends);
      dailyQuotas.put(Objects.requireNonNull(appId, "appId"), sends);
      return this;
    }

    /** Sends per app per wall-clock second before 45011, reported by {@code quota/get} as its {@code rate_limit}. */
    public Builder rateLimit(String appId, int perSecond) {
      if (perSecond < 1) throw new IllegalArgumentException("rateLimit must be >= 1: " + perSecond);
      rateLimits.put(Objects.requireNonNull(appId, "appId"), perSecond);
      return this;
    }

    public Builder maxRequestBytes(long bytes) {
      if (bytes < 1024) throw new IllegalArgumentException("maxRequestBytes must be at least 1024");
      this.maxRequestBytes = bytes;
      return this;
    }

    /** Requests the request log keeps, the newest ({@code /sim/requests}, {@link WeChatSim#takeRequest}); 0 turns it off. Default 1000. */
    public Builder requestLogCapacity(int capacity) {
      if (capacity < 0 || capacity > 1_000_000) throw new IllegalArgumentException("requestLogCapacity must be 0-1000000: " + capacity);
      this.requestLogCapacity = capacity;
      return this;
    }

    /**
     * Mint form_ids and prepay_ids in WeChat's real shape (32 lowercase hex characters; {@code wx} and
     * 34) rather than the sim's short {@code simf…} one; the sim recognises both either way.
     */
    public Builder realIds(boolean real) {
      this.idFormat = real ? CredentialCodec.IdFormat.REAL : CredentialCodec.IdFormat.SIM;
      return this;
    }

    Builder idFormat(CredentialCodec.IdFormat format) {
      this.idFormat = format;
      return this;
    }

    public SimConfig build() {
      if (apps.isEmpty()) throw new IllegalArgumentException("apps: at least one app is required");
      for (SimTemplate t : templates) {
        if (!apps.containsKey(t.appId())) throw new IllegalArgumentException("template " + t.templateId() + " names unknown app " + t.appId());
      }
      return new SimConfig(this);
    }

    static double rate(double rate, String field) {
      if (!(rate >= 0 && rate <= 1)) throw new IllegalArgumentException(field + " must be between 0 and 1: " + rate);
      return rate;
    }

    static Duration nonNegative(Duration d, String field) {
      if (d == null || d.isNegative()) throw new IllegalArgumentException(field + " must be zero or positive");
      return d;
    }
  }
}
