package io.wxpush.templates;

import com.fasterxml.jackson.databind.JsonNode;
import io.wxpush.json.Json;
import io.wxpush.redis.RedisKeys;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.params.SetParams;

/**
 * Each app's subscribe templates, shared by the fleet through Redis ({@link RedisKeys#templates},
 * written by {@code TemplateRefresher}) and read through a short local cache, so a push's check
 * costs no round trip. A send answered 40037 marks its template gone ({@link #markGone}) until the
 * next refresh lists it again. Thread-safe.
 */
public final class TemplateRegistry {
  /** How long a list and the gone set stay in Redis without a refresh: a long WeChat outage keeps the last list. */
  public static final Duration KEEP = Duration.ofDays(7);
  /** How long this process reuses what it read from Redis. */
  public static final Duration LOCAL = Duration.ofSeconds(5);

  private final UnifiedJedis redis;
  private final RedisKeys keys;
  private final Clock clock;
  private final Map<String, Cached> local = new ConcurrentHashMap<>();

  private record Cached(Optional<AppTemplates> templates, long readAtMs) {}

  public TemplateRegistry(UnifiedJedis redis, RedisKeys keys, Clock clock) {
    this.redis = redis;
    this.keys = keys;
    this.clock = clock;
  }

  /** The app's templates, empty until a list has been loaded from WeChat. */
  public Optional<AppTemplates> get(String appId) {
    long now = clock.millis();
    Cached c = local.get(appId);
    if (c != null && now - c.readAtMs() < LOCAL.toMillis() && now >= c.readAtMs()) return c.templates();
    Optional<AppTemplates> read = read(appId);
    if (read.isPresent()) local.put(appId, new Cached(read, now)); // no list yet: look again next time, it may land any moment
    else local.remove(appId);
    return read;
  }

  /** Whether WeChat lists {@code templateId} as one of the app's long-term templates ({@code type} 3). */
  public boolean isLongTerm(String appId, String templateId) {
    return get(appId).flatMap(t -> t.find(templateId)).map(Template::longTerm).orElse(false);
  }

  /** What Redis holds now, past the local cache. */
  public Optional<AppTemplates> read(String appId) {
    String json = redis.get(keys.templates(appId));
    if (json == null) return Optional.empty();
    Set<String> gone = redis.smembers(keys.templatesGone(appId));
    return Optional.of(decode(appId, json, gone));
  }

  /** Stores a list WeChat answered: it replaces the last one, and what was marked gone is forgotten. */
  public void store(String appId, List<Template> templates, long loadedAtMs) {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("loadedAt", loadedAtMs);
    List<Map<String, Object>> list = new ArrayList<>();
    for (Template t : templates) {
      Map<String, Object> entry = new LinkedHashMap<>();
      entry.put("id", t.id());
      entry.put("title", t.title());
      entry.put("content", t.content());
      entry.put("type", t.type());
      list.add(entry);
    }
    doc.put("templates", list);
    redis.set(keys.templates(appId), Json.writeString(doc), SetParams.setParams().px(KEEP.toMillis()));
    redis.del(keys.templatesGone(appId));
    local.remove(appId);
  }

  /** A send was answered 40037 for this template: it is refused from now on, fleet-wide, until WeChat lists it again. */
  public void markGone(String appId, String templateId) {
    String key = keys.templatesGone(appId);
    redis.sadd(key, templateId);
    redis.pexpire(key, KEEP.toMillis());
    local.remove(appId);
  }

  /** Forgets this process's cached copy of the app's list (the next {@link #get} reads Redis). */
  public void forget(String appId) {
    local.remove(appId);
  }

  private static AppTemplates decode(String appId, String json, Set<String> gone) {
    JsonNode doc;
    try {
      doc = Json.MAPPER.readTree(json);
    } catch (IOException e) {
      throw new IllegalStateException("template list of " + appId + " in Redis is not JSON", e);
    }
    Map<String, Template> byId = new LinkedHashMap<>();
    for (JsonNode t : doc.path("templates")) {
      Template template = Template.subscribe(t.path("id").asText(), t.path("title").asText(""), t.path("content").asText(""), t.path("type").asInt(2));
      byId.put(template.id(), template);
    }
    return new AppTemplates(appId, doc.path("loadedAt").asLong(), byId, gone);
  }
}
