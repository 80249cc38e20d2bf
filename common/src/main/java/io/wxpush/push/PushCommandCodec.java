package io.wxpush.push;

import com.fasterxml.jackson.databind.JsonNode;
import io.wxpush.json.Json;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The one codec of {@link PushCommand}s on {@code wxpush.push-requests}: each record is parsed once.
 * The wire format is the one already on the topic: a retry round {@code {"v":1,"requestId","appId","retry":n}},
 * a resume {@code {"v":1,"requestId","appId","resume":true}} (both keyed by the requestId, which wins over
 * the body's; the appId says whose requestId it is), and a push request's body. A request is held to the API's own rules
 * ({@link PushRequestParser}). Thread-safe.
 */
public final class PushCommandCodec {
  private final PushRequestParser parser;

  /** @param parser the API's rules, applied to requests published straight to Kafka too */
  public PushCommandCodec(PushRequestParser parser) {
    this.parser = parser;
  }

  /** A record that is no command: why, and what of it could be read (either may be null). */
  public static final class Unreadable extends Exception {
    private final String requestId;
    private final String appId;

    Unreadable(String reason, String requestId, String appId) {
      super(reason, null, false, false);
      this.requestId = requestId;
      this.appId = appId;
    }

    /** Why: {@code unreadable}, or {@code invalid_request_<field>}. */
    public String reason() {
      return getMessage();
    }

    public String requestId() {
      return requestId;
    }

    public String appId() {
      return appId;
    }
  }

  /** The record's value as bytes. */
  public static byte[] encode(PushCommand command) {
    return switch (command) {
      case PushCommand.Request r -> Json.write(r.request());
      case PushCommand.RetryRound r -> Json.write(small(r.appId(), r.requestId(), "retry", r.round()));
      case PushCommand.Resume r -> Json.write(small(r.appId(), r.requestId(), "resume", true));
    };
  }

  private static Map<String, Object> small(String appId, String requestId, String field, Object value) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("v", 1);
    m.put("requestId", requestId);
    m.put("appId", appId);
    m.put(field, value);
    return m;
  }

  /** The command of a record with {@code key} and {@code value}, read once. */
  public PushCommand decode(String key, byte[] value) throws Unreadable {
    JsonNode node;
    try {
      node = value == null ? null : Json.MAPPER.readTree(value);
    } catch (Exception e) {
      throw new Unreadable("unreadable", key, null);
    }
    if (node == null || !node.isObject()) throw new Unreadable("unreadable", key, null);
    String rid = node.path("requestId").isTextual() ? node.path("requestId").asText() : null;
    String own = key != null ? key : rid;
    String app = node.path("appId").isTextual() ? node.path("appId").asText() : null;
    boolean retry = node.path("retry").isIntegralNumber() && node.path("retry").asLong() > 0;
    boolean resume = node.path("resume").asBoolean(false);
    // a retry or resume of a version before per-app requestIds names no app: it cannot say whose push it is
    if (own != null && (retry || resume) && app == null) throw new Unreadable("invalid_request_appId_missing", own, null);
    if (own != null && retry) return new PushCommand.RetryRound(app, own, node.path("retry").asLong());
    if (own != null && resume) return new PushCommand.Resume(app, own);
    if (rid == null) throw new Unreadable("invalid_request_requestId_missing", key, app);
    return switch (parser.parse(node)) {
      case PushRequestParser.Valid v -> new PushCommand.Request(v.request());
      case PushRequestParser.Invalid i -> throw new Unreadable("invalid_request_" + i.errors().getFirst().get("field"), rid, app);
    };
  }
}
