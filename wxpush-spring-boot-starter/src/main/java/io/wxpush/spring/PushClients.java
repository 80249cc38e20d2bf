package io.wxpush.spring;

import io.wxpush.client.CallbackVerifier;
import io.wxpush.client.HttpPushClient;
import io.wxpush.client.PushClient;
import io.wxpush.client.PushRequest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The service's apps by name ({@code wxpush.apps.<name>}), each with its appId and a
 * {@link PushClient} on its transport and key; clients that share a key and transport are one
 * client. Thread-safe; {@link #close()} (the context's shutdown) closes every client.
 */
public final class PushClients implements AutoCloseable {
  private final Map<String, App> apps;
  private final PushClient defaultClient;
  private final List<PushClient> owned;

  /** One app of the service: its name, its appId and the client it pushes with. */
  public record App(String name, String appId, PushClient client) {
    /** A template push of this app (the builder has the appId). */
    public PushRequest.Builder template(String templateId) {
      return PushRequest.template(appId, templateId);
    }

    /** A subscribe push of this app (the builder has the appId). */
    public PushRequest.Builder subscribe(String templateId) {
      return PushRequest.subscribe(appId, templateId);
    }
  }

  PushClients(WxpushProperties properties) {
    Map<String, PushClient> byKey = new LinkedHashMap<>();
    this.owned = new ArrayList<>();
    Set<String> appIds = new TreeSet<>();
    properties.apps().forEach((name, app) -> {
      if (app == null || app.appId() == null || app.appId().isBlank()) throw new IllegalStateException("wxpush.apps." + name + ".app-id is not set");
      appIds.add(app.appId());
    });
    Map<String, App> apps = new LinkedHashMap<>();
    try {
      for (Map.Entry<String, WxpushProperties.App> e : new TreeMap<>(properties.apps()).entrySet()) {
        WxpushProperties.App app = e.getValue();
        WxpushProperties.Transport transport = app.transport() == null ? properties.transport() : app.transport();
        String apiKey = app.apiKey() == null ? properties.apiKey() : app.apiKey();
        PushClient client = byKey.computeIfAbsent(transport + " " + apiKey, k -> open(properties, transport, apiKey, appIds, "wxpush.apps." + e.getKey()));
        apps.put(e.getKey(), new App(e.getKey(), app.appId(), client));
      }
      this.defaultClient = configured(properties)
          ? byKey.computeIfAbsent(properties.transport() + " " + properties.apiKey(), k -> open(properties, properties.transport(), properties.apiKey(), appIds, "wxpush"))
          : null;
    } catch (RuntimeException e) {
      byKey.values().forEach(PushClient::close);
      throw e;
    }
    this.apps = Map.copyOf(apps);
    owned.addAll(byKey.values());
  }

  /** True when the top-level properties name a client: {@code api-url} and {@code api-key} for HTTP, {@code kafka.bootstrap-servers} for Kafka. */
  static boolean configured(WxpushProperties p) {
    return p.transport() == WxpushProperties.Transport.KAFKA ? p.kafka().bootstrapServers() != null
        : p.apiUrl() != null && p.apiKey() != null && !p.apiKey().isBlank();
  }

  private static PushClient open(WxpushProperties p, WxpushProperties.Transport transport, String apiKey, Set<String> appIds, String where) {
    if (transport == WxpushProperties.Transport.KAFKA) {
      if (p.kafka().bootstrapServers() == null) throw new IllegalStateException(where + ": the Kafka transport needs wxpush.kafka.bootstrap-servers");
      if (appIds.isEmpty()) throw new IllegalStateException(where + ": the Kafka transport needs the apps it pushes for (wxpush.apps.<name>.app-id)");
      return KafkaTransport.open(p.kafka(), appIds, p.timeout());
    }
    if (p.apiUrl() == null) throw new IllegalStateException(where + ": the HTTP transport needs wxpush.api-url");
    if (apiKey == null || apiKey.isBlank()) throw new IllegalStateException(where + ": the HTTP transport needs wxpush.api-key (or " + where + ".api-key)");
    return new HttpPushClient(p.apiUrl(), apiKey, p.timeout());
  }

  /** The app named {@code name} under {@code wxpush.apps}; IllegalArgumentException for another name. */
  public App app(String name) {
    App app = apps.get(name);
    if (app == null) throw new IllegalArgumentException("no app " + name + " under wxpush.apps (there are " + apps.keySet() + ")");
    return app;
  }

  /** The client of the app named {@code name}. */
  public PushClient get(String name) {
    return app(name).client();
  }

  /** Every app by name. */
  public Map<String, App> apps() {
    return apps;
  }

  /** The client of the top-level properties, or null when they name none. */
  PushClient defaultClient() {
    return defaultClient;
  }

  @Override
  public void close() {
    owned.forEach(PushClient::close);
  }

  /** The verifiers of the keys pushes over HTTP are created with: {@code wxpush.api-key} and each app's. */
  static List<CallbackVerifier> verifiers(WxpushProperties p) {
    Set<String> keys = new TreeSet<>();
    if (p.apiKey() != null && !p.apiKey().isBlank()) keys.add(p.apiKey());
    p.apps().values().forEach(a -> {
      if (a != null && a.apiKey() != null && !a.apiKey().isBlank()) keys.add(a.apiKey());
    });
    return keys.stream().map(k -> CallbackVerifier.of(k).withTolerance(p.callbackTolerance())).toList();
  }
}
