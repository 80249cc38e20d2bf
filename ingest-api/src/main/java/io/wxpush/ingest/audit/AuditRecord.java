package io.wxpush.ingest.audit;

import com.fasterxml.jackson.databind.JsonNode;
import io.wxpush.json.Json;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One audit record: who (the key's {@link io.wxpush.ingest.auth.ApiKey#auditName() name}, never
 * the key) changed what ({@code action} on {@code target} of {@code app}), when ({@code at}, epoch
 * ms) and with what {@code outcome}. On the topic it carries {@code "v":1} as every wxpush record.
 */
public record AuditRecord(long at, String app, String action, String target, String key, String outcome) {
  /** As {@code GET /v1/audit} lists it: {@code {"at","app","action","target","key","outcome"}}. */
  public Map<String, Object> toJson() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("at", at);
    m.put("app", app);
    m.put("action", action);
    m.put("target", target);
    m.put("key", key);
    m.put("outcome", outcome);
    return m;
  }

  /** The topic's value: {@link #toJson()} with {@code "v":1}. */
  public byte[] encode() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("v", 1);
    m.putAll(toJson());
    return Json.writeString(m).getBytes(StandardCharsets.UTF_8);
  }

  /** Reads {@link #encode()}'s bytes (or the same JSON without {@code v}). */
  public static AuditRecord decode(byte[] json) {
    try {
      JsonNode n = Json.MAPPER.readTree(json);
      return new AuditRecord(n.path("at").asLong(), n.path("app").asText(), n.path("action").asText(), n.path("target").asText(),
          n.path("key").asText(), n.path("outcome").asText());
    } catch (java.io.IOException e) {
      throw new IllegalArgumentException("not an audit record", e);
    }
  }
}
