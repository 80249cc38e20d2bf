package io.wxpush.sim;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.http.Context;
import io.wxpush.json.Json;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code POST /cgi-bin/openapi/quota/get}: an app's daily quota of a send API as WeChat reports
 * it, {@code {"quota":{"daily_limit","used","remain"},"rate_limit":{"call_count","refresh_second"}}}
 * for the sim's current (Beijing-time) day, from the counts {@link SimFaults} keeps and enforces
 * (45009, 45011). The two send paths share one count, as the sim keeps one per app; any other
 * {@code cgi_path} is answered 76021, and {@code rate_limit} is present only when the app has one
 * ({@link SimFaults#rateLimit}).
 */
final class QuotaEndpoint {
  static final String PATH = "/cgi-bin/openapi/quota/get";

  private final TokenAuthority tokens;
  private final SimFaults faults;

  QuotaEndpoint(TokenAuthority tokens, SimFaults faults) {
    this.tokens = tokens;
    this.faults = faults;
  }

  void answer(Context ctx) {
    String token = ctx.queryParam("access_token");
    if (token == null || token.isEmpty()) {
      WeChatAnswers.error(ctx, 41001, "access_token missing");
      return;
    }
    TokenAuthority.Check check = tokens.check(token);
    if (check.errcode() != 0) {
      WeChatAnswers.error(ctx, check.errcode(), check.errcode() == 42001 ? "access_token expired" : "invalid credential, access_token is invalid or not latest");
      return;
    }
    String path = cgiPath(ctx);
    if (path == null) {
      WeChatAnswers.error(ctx, 47001, "data format error");
      return;
    }
    if (!path.equals(SendEndpointHandler.SUBSCRIBE_PATH) && !path.equals(SendEndpointHandler.TEMPLATE_PATH)) {
      WeChatAnswers.error(ctx, 76021, "cgi_path not found");
      return;
    }
    SimFaults.Quota q = faults.quota(check.appId());
    Map<String, Object> quota = new LinkedHashMap<>();
    quota.put("daily_limit", q.dailyLimit());
    quota.put("used", q.used());
    quota.put("remain", q.remain());
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("errcode", 0);
    answer.put("errmsg", "ok");
    answer.put("quota", quota);
    if (q.ratePerSecond() > 0) answer.put("rate_limit", Map.of("call_count", q.ratePerSecond(), "refresh_second", 1));
    WeChatAnswers.json(ctx, answer);
  }

  /** The body's {@code cgi_path}, or null when the body is not a JSON object naming one. */
  private static String cgiPath(Context ctx) {
    try {
      JsonNode body = Json.MAPPER.readTree(ctx.bodyAsBytes());
      JsonNode path = body == null ? null : body.get("cgi_path");
      return path != null && path.isTextual() ? path.asText() : null;
    } catch (IOException e) {
      return null;
    }
  }
}
