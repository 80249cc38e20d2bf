package io.wxpush.sim;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.wxpush.http.ApiException;
import io.wxpush.json.Json;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code /sim/…} control endpoints: the HTTP face of {@link WeChatSim}'s Java API, for
 * processes that do not embed the sim. Errors use the house shape
 * {@code {"error":{"code","message"}}} with status 400.
 */
final class AdminRoutes {
  private final WeChatSim sim;

  AdminRoutes(WeChatSim sim) {
    this.sim = sim;
  }

  void register(RoutesConfig routes) {
    routes.post("/sim/templates", guarded(this::registerTemplate));
    routes.delete("/sim/templates/{appId}/{templateId}", guarded(ctx -> {
      if (!sim.removeTemplate(app(ctx), ctx.pathParam("templateId"))) throw ApiException.notFound("no such template");
      ctx.json(Map.of("removed", ctx.pathParam("templateId")));
    }));
    routes.post("/sim/users/{appId}/{openId}/login-code", guarded(ctx ->
        ctx.json(Map.of("code", sim.mintLoginCode(app(ctx), openId(ctx))))));
    routes.post("/sim/users/{appId}/{openId}/form-ids", guarded(ctx ->
        ctx.json(Map.of("formIds", sim.mintFormIds(app(ctx), openId(ctx), countParam(ctx))))));
    routes.post("/sim/users/{appId}/{openId}/prepay-ids", guarded(ctx ->
        ctx.json(Map.of("prepayIds", sim.mintPrepayIds(app(ctx), openId(ctx), countParam(ctx))))));
    routes.post("/sim/users/{appId}/{openId}/grants", guarded(this::grant));
    routes.delete("/sim/users/{appId}/{openId}/grants/{templateId}", guarded(ctx ->
        ctx.json(Map.of("revoked", sim.revokeSubscription(app(ctx), openId(ctx), ctx.pathParam("templateId"))))));
    routes.put("/sim/apps/{appId}/message-push", guarded(ctx -> {
      JsonNode body = body(ctx);
      sim.configureMessagePush(app(ctx), URI.create(text(required(body, "url"))), text(required(body, "token")),
          body.hasNonNull("encodingAesKey") ? text(body.get("encodingAesKey")) : null,
          body.hasNonNull("mode") ? text(body.get("mode")) : "plaintext", body.hasNonNull("format") ? text(body.get("format")) : "json",
          !body.hasNonNull("sentEvents") || body.get("sentEvents").asBoolean());
      ctx.json(Map.of("configured", app(ctx)));
    }));
    routes.post("/sim/users/{appId}/{openId}/popup", guarded(ctx -> {
      JsonNode body = body(ctx);
      Map<String, String> answers = new LinkedHashMap<>();
      required(body, "answers").properties().forEach(e -> answers.put(e.getKey(), e.getValue().asText()));
      ctx.json(Map.of("createTime", sim.answerPopup(app(ctx), openId(ctx), answers, deliveries(body))));
    }));
    routes.post("/sim/users/{appId}/{openId}/settings", guarded(ctx -> {
      JsonNode body = body(ctx);
      ctx.json(Map.of("createTime", sim.rejectInSettings(app(ctx), openId(ctx), strings(required(body, "reject")), deliveries(body))));
    }));
    routes.post("/sim/users/{appId}/{openId}/messages/{msgid}/fail", guarded(ctx -> {
      JsonNode body = body(ctx);
      long msgid;
      try {
        msgid = Long.parseLong(ctx.pathParam("msgid"));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("msgid is a number");
      }
      ctx.json(Map.of("createTime", sim.failDelivered(app(ctx), openId(ctx), msgid, required(body, "errorCode").asInt(), deliveries(body))));
    }));
    routes.get("/sim/message-push/stats", ctx -> ctx.json(sim.messagePushStats()));
    routes.get("/sim/users/{appId}/{openId}/inbox", guarded(ctx ->
        ctx.json(Map.of("messages", sim.inbox(app(ctx), openId(ctx)).stream().map(AdminRoutes::message).toList()))));
    routes.post("/sim/bulk/form-ids", guarded(this::bulkFormIds));
    routes.get("/sim/stats", guarded(this::stats));
    routes.get("/sim/faults", ctx -> ctx.json(sim.faults().snapshot()));
    routes.put("/sim/faults", guarded(this::setFaults));
    routes.delete("/sim/faults", ctx -> ctx.json(sim.faults().clear().snapshot()));
    routes.post("/sim/apps/{appId}/invalidate-tokens", guarded(ctx -> {
      sim.invalidateTokens(app(ctx));
      ctx.json(Map.of("invalidated", app(ctx)));
    }));
    routes.post("/sim/clock", guarded(ctx -> {
      JsonNode body = body(ctx);
      sim.clockOffset(Duration.ofMillis(required(body, "offsetMs").asLong()));
      ctx.json(Map.of("offsetMs", sim.clockOffset().toMillis()));
    }));
    routes.post("/sim/reset", ctx -> {
      sim.reset();
      ctx.json(Map.of("reset", true));
    });
  }

  /** A handler whose {@link IllegalArgumentException}s become 400 answers. */
  private interface Action {
    void handle(Context ctx) throws Exception;
  }

  private static Handler guarded(Action action) {
    return ctx -> {
      try {
        action.handle(ctx);
      } catch (IllegalArgumentException e) {
        throw ApiException.badRequest("invalid_request", e.getMessage());
      }
    };
  }

  private void registerTemplate(Context ctx) {
    JsonNode body = body(ctx);
    SimTemplate.Kind kind = SimTemplate.Kind.parse(text(required(body, "kind")));
    boolean longTerm = body.hasNonNull("longTerm") && body.get("longTerm").asBoolean(false);
    SimTemplate template = new SimTemplate(text(required(body, "appId")), text(required(body, "templateId")), kind,
        strings(body.get("keywords")), new LinkedHashSet<>(strings(body.get("pages"))), longTerm);
    sim.registerTemplate(template);
    ctx.status(201).json(Map.of("appId", template.appId(), "templateId", template.templateId(), "kind", kind.wireName(),
        "keywords", template.keywords(), "pages", Set.copyOf(template.pages()), "longTerm", longTerm));
  }

  private static int deliveries(JsonNode body) {
    int n = body.hasNonNull("deliveries") ? body.get("deliveries").asInt(-1) : 1;
    if (n < 1 || n > 10) throw new IllegalArgumentException("deliveries is 1-10");
    return n;
  }

  private void grant(Context ctx) {
    JsonNode body = body(ctx);
    JsonNode count = body.get("count");
    int n = count == null || count.isNull() ? 1 : count.asInt(-1);
    ctx.json(Map.of("grantIds", sim.grantSubscriptions(app(ctx), openId(ctx), text(required(body, "templateId")), n)));
  }

  /** Bulk mint; {@code ?format=lines} answers {@code openId formId} lines (text) for load scripts. */
  private void bulkFormIds(Context ctx) {
    JsonNode body = body(ctx);
    int perUser = body.has("perUser") ? body.get("perUser").asInt(-1) : 1;
    Map<String, List<String>> minted = sim.mintFormIdsBulk(text(required(body, "appId")), strings(required(body, "openIds")), perUser);
    if ("lines".equals(ctx.queryParam("format"))) {
      StringBuilder out = new StringBuilder(minted.size() * 48 * perUser);
      minted.forEach((openId, ids) -> ids.forEach(id -> out.append(openId).append(' ').append(id).append('\n')));
      ctx.contentType("text/plain; charset=utf-8").result(out.toString());
    } else {
      ctx.json(Map.of("formIds", minted));
    }
  }

  private void stats(Context ctx) {
    Map<String, Long> errcodes = new LinkedHashMap<>();
    sim.errcodeCounts().forEach((k, v) -> errcodes.put(Integer.toString(k), v));
    Map<String, Long> httpFaults = new LinkedHashMap<>();
    sim.httpFaultCounts().forEach((k, v) -> httpFaults.put(Integer.toString(k), v));
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("delivered", sim.deliveredCount());
    out.put("errcodes", errcodes);
    out.put("httpFaults", httpFaults);
    out.put("answersLost", sim.answersLostCount());
    out.put("tokensIssued", sim.tokenIssuedCount());
    out.put("tokenCalls", sim.tokenCallCount());
    out.put("usersWithMessages", sim.usersWithMessages());
    ctx.json(out);
  }

  private void setFaults(Context ctx) {
    JsonNode b = body(ctx);
    SimFaults f = sim.faults();
    Map<String, Object> now = f.snapshot();
    if (b.has("latencyMs") || b.has("latencyJitterMs")) {
      f.latency(Duration.ofMillis(longOr(b, "latencyMs", (Long) now.get("latencyMs"))),
          Duration.ofMillis(longOr(b, "latencyJitterMs", (Long) now.get("latencyJitterMs"))));
    }
    if (b.has("systemErrorRate")) f.systemErrorRate(b.get("systemErrorRate").asDouble(-1));
    if (b.has("http500Rate")) f.http500Rate(b.get("http500Rate").asDouble(-1));
    if (b.has("http503Rate")) f.http503Rate(b.get("http503Rate").asDouble(-1));
    long hangBefore = longOr(b, "hangBeforeMs", longOr(b, "hangMs", (Long) now.get("hangBeforeMs")));
    long hangAfter = longOr(b, "hangAfterMs", longOr(b, "hangMs", (Long) now.get("hangAfterMs")));
    f.hangBeforeRate(b.has("hangBeforeRate") ? b.get("hangBeforeRate").asDouble(-1) : (Double) now.get("hangBeforeRate"), Duration.ofMillis(hangBefore));
    f.hangAfterDeliveryRate(b.has("hangAfterDeliveryRate") ? b.get("hangAfterDeliveryRate").asDouble(-1) : (Double) now.get("hangAfterDeliveryRate"), Duration.ofMillis(hangAfter));
    if (b.has("http5xxAfterDeliveryRate")) f.gatewayErrorAfterDeliveryRate(b.get("http5xxAfterDeliveryRate").asDouble(-1));
    if (b.has("resetAfterDeliveryRate")) f.resetAfterDeliveryRate(b.get("resetAfterDeliveryRate").asDouble(-1));
    if (b.has("rateLimitNext")) f.rateLimitNext(b.get("rateLimitNext").asInt(-1));
    if (b.has("rateLimitForMs")) f.rateLimitFor(Duration.ofMillis(b.get("rateLimitForMs").asLong(-1)));
    JsonNode quotas = b.get("dailyQuota");
    if (quotas != null && !quotas.isNull()) {
      if (!quotas.isObject()) throw new IllegalArgumentException("dailyQuota must be an object appId -> sends");
      for (var entry : quotas.properties()) f.dailyQuota(entry.getKey(), entry.getValue().asLong(-1));
    }
    JsonNode rates = b.get("rateLimit");
    if (rates != null && !rates.isNull()) {
      if (!rates.isObject()) throw new IllegalArgumentException("rateLimit must be an object appId -> sends per second (0 removes it)");
      for (var entry : rates.properties()) f.rateLimit(entry.getKey(), entry.getValue().asInt(-1));
    }
    ctx.json(f.snapshot());
  }

  private static Map<String, Object> message(SimMessage m) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("appId", m.appId());
    out.put("openId", m.openId());
    out.put("templateId", m.templateId());
    out.put("kind", m.kind());
    out.put("page", m.page());
    out.put("data", m.data());
    out.put("credential", m.credential());
    out.put("at", m.at().toString());
    out.put("atMillis", m.at().toEpochMilli());
    return out;
  }

  private static long longOr(JsonNode body, String field, long fallback) {
    JsonNode node = body.get(field);
    if (node == null || node.isNull()) return fallback;
    if (!node.canConvertToLong()) throw new IllegalArgumentException(field + " must be a whole number");
    return node.asLong();
  }

  private static String app(Context ctx) {
    return ctx.pathParam("appId");
  }

  private static String openId(Context ctx) {
    return ctx.pathParam("openId");
  }

  private static int countParam(Context ctx) {
    String count = ctx.queryParam("count");
    if (count == null) return 1;
    try {
      return Integer.parseInt(count);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("count must be a whole number");
    }
  }

  private static JsonNode body(Context ctx) {
    try {
      JsonNode node = Json.MAPPER.readTree(ctx.bodyAsBytes());
      if (node == null || !node.isObject()) throw new IllegalArgumentException("body must be a JSON object");
      return node;
    } catch (IOException e) {
      throw new IllegalArgumentException("body is not valid JSON");
    }
  }

  private static JsonNode required(JsonNode body, String field) {
    JsonNode node = body.get(field);
    if (node == null || node.isNull()) throw new IllegalArgumentException(field + " is required");
    return node;
  }

  private static String text(JsonNode node) {
    if (!node.isTextual()) throw new IllegalArgumentException("expected a string, got " + node.getNodeType());
    return node.asText();
  }

  private static List<String> strings(JsonNode node) {
    List<String> out = new ArrayList<>();
    if (node == null || node.isNull()) return out;
    if (!node.isArray()) throw new IllegalArgumentException("expected an array of strings");
    for (JsonNode item : node) out.add(text(item));
    return out;
  }
}
