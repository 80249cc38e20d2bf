package io.wxpush.sim;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.wxpush.secret.Secret;
import io.wxpush.json.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The WeChat endpoints the sim serves, with WeChat's request shapes and answers: access
 * tokens, code2Session, and the template and subscribe sends (where faults apply). Every
 * answer is HTTP 200 JSON except injected 5xx faults.
 */
final class WeChatRoutes {
  private final Map<String, Secret> apps;
  private final SimClock clock;
  private final TokenAuthority tokens;
  private final LoginCodes loginCodes;
  private final SendProcessor sends;
  private final SimFaults faults;
  private final SimStats stats;
  private final TemplateRegistry templates;

  WeChatRoutes(Map<String, Secret> apps, SimClock clock, TokenAuthority tokens, LoginCodes loginCodes,
      SendProcessor sends, SimFaults faults, SimStats stats, TemplateRegistry templates) {
    this.templates = templates;
    this.apps = apps;
    this.clock = clock;
    this.tokens = tokens;
    this.loginCodes = loginCodes;
    this.sends = sends;
    this.faults = faults;
    this.stats = stats;
  }

  void register(RoutesConfig routes) {
    routes.get("/cgi-bin/token", this::token);
    routes.post("/cgi-bin/stable_token", this::stableToken);
    routes.get("/sns/jscode2session", this::codeToSession);
    routes.get("/wxaapi/newtmpl/gettemplate", this::subscribeTemplates);
    routes.post(QuotaEndpoint.PATH, new QuotaEndpoint(tokens, faults)::answer);
    // Normally SendEndpointHandler answers these before Javalin; these routes serve what it passes on.
    routes.post(SendEndpointHandler.TEMPLATE_PATH, ctx -> WeChatAnswers.write(ctx, send(false, ctx.queryParam("access_token"), Body.readOrNull(ctx::bodyAsBytes))));
    routes.post(SendEndpointHandler.SUBSCRIBE_PATH, ctx -> WeChatAnswers.write(ctx, send(true, ctx.queryParam("access_token"), Body.readOrNull(ctx::bodyAsBytes))));
  }

  private void token(Context ctx) {
    stats.tokenCall();
    if (!"client_credential".equals(ctx.queryParam("grant_type"))) {
      WeChatAnswers.error(ctx, 40002, "invalid grant_type");
      return;
    }
    String appId = ctx.queryParam("appid");
    if (!authenticate(ctx, appId, ctx.queryParam("secret"))) return;
    tokenAnswer(ctx, tokens.issuePlain(appId));
  }

  private void stableToken(Context ctx) {
    stats.tokenCall();
    JsonNode body = parse(ctx);
    if (body == null) return;
    if (!"client_credential".equals(SendProcessor.text(body, "grant_type"))) {
      WeChatAnswers.error(ctx, 40002, "invalid grant_type");
      return;
    }
    String appId = SendProcessor.text(body, "appid");
    if (!authenticate(ctx, appId, SendProcessor.text(body, "secret"))) return;
    JsonNode force = body.get("force_refresh");
    tokenAnswer(ctx, tokens.issueStable(appId, force != null && force.asBoolean(false)));
  }

  /**
   * {@code wxaapi/newtmpl/gettemplate}: the app's subscribe templates as WeChat's "my templates"
   * list shows them, {@code content} naming each keyword as {@code name:{{thing1.DATA}}} lines.
   */
  private void subscribeTemplates(Context ctx) {
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
    List<Map<String, Object>> data = new ArrayList<>();
    for (SimTemplate t : templates.of(check.appId(), SimTemplate.Kind.SUBSCRIBE)) {
      StringBuilder content = new StringBuilder();
      for (String k : t.keywords()) content.append(k).append(":{{").append(k).append(".DATA}}\n");
      Map<String, Object> entry = new LinkedHashMap<>();
      entry.put("priTmplId", t.templateId());
      entry.put("title", "template " + t.templateId());
      entry.put("content", content.toString());
      entry.put("example", "");
      entry.put("type", t.longTerm() ? 3 : 2);
      data.add(entry);
    }
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("errcode", 0);
    answer.put("errmsg", "ok");
    answer.put("data", data);
    WeChatAnswers.json(ctx, answer);
  }

  private void codeToSession(Context ctx) {
    String appId = ctx.queryParam("appid");
    if (!authenticate(ctx, appId, ctx.queryParam("secret"))) return;
    if (!"authorization_code".equals(ctx.queryParam("grant_type"))) {
      WeChatAnswers.error(ctx, 40002, "invalid grant_type");
      return;
    }
    String code = ctx.queryParam("js_code");
    if (code == null || code.isEmpty()) {
      WeChatAnswers.error(ctx, 41008, "missing code");
      return;
    }
    String openId = loginCodes.redeem(appId, code, clock.nowMillis());
    if (openId == null) {
      WeChatAnswers.error(ctx, 40029, "invalid code");
      return;
    }
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("session_key", Base64.getEncoder().encodeToString(UUID.randomUUID().toString().getBytes(StandardCharsets.US_ASCII)).substring(0, 24));
    answer.put("openid", openId);
    WeChatAnswers.json(ctx, answer);
  }

  /** Reads a request's body; throws when it cannot (too large, malformed chunking, a broken connection). */
  @FunctionalInterface
  interface Body {
    byte[] read() throws Exception;

    /**
     * The body, or {@code null} when it cannot be read. Sends read it before any answer is
     * written: a body left unread when the answer goes out makes Jetty close the connection
     * after it, and a client that already put that connection back in its pool then fails its
     * next request with "received no bytes" (an invalid token answers 40001 without looking at
     * the body, so this happened on every 40001).
     */
    static byte[] readOrNull(Body body) {
      try {
        return body.read();
      } catch (Exception e) {
        return null;
      }
    }
  }

  /**
   * One template ({@code subscribe} false) or subscribe send: faults, token check, limits,
   * then {@link SendProcessor}. Blocks for injected latency and hangs, so callers run it on a
   * virtual thread. Shared by the Javalin routes and {@link SendEndpointHandler}.
   *
   * @param token the {@code access_token} query parameter, {@code null} when absent
   * @param body the request body, {@code null} when it could not be read
   */
  WeChatAnswers.Answer send(boolean subscribe, String token, byte[] body) throws InterruptedException {
    faults.applyLatency();
    switch (faults.beforeProcessing()) {
      case HTTP_500 -> {
        stats.httpFault(500);
        return WeChatAnswers.httpFault(500);
      }
      case HTTP_503 -> {
        stats.httpFault(503);
        return WeChatAnswers.httpFault(503);
      }
      case SYSTEM_ERROR -> {
        return answer(SendProcessor.Outcome.error(-1, "system error"));
      }
      case HANG_BEFORE -> {
        Thread.sleep(faults.hangBeforeFor());
        return answer(SendProcessor.Outcome.error(-1, "system error"));
      }
      default -> { }
    }
    if (token == null || token.isEmpty()) return answer(SendProcessor.Outcome.error(41001, "access_token missing"));
    TokenAuthority.Check check = tokens.check(token);
    if (check.errcode() != 0) {
      return answer(SendProcessor.Outcome.error(check.errcode(), check.errcode() == 42001
          ? "access_token expired" : "invalid credential, access_token is invalid or not latest"));
    }
    switch (faults.limits(check.appId())) {
      case RATE_LIMITED -> {
        return answer(SendProcessor.Outcome.error(45011, "api minute-quota reach limit, must slower, retry next minute"));
      }
      case QUOTA_EXCEEDED -> {
        return answer(SendProcessor.Outcome.error(45009, "reach max api daily quota limit"));
      }
      default -> { }
    }
    JsonNode parsed = parseQuietly(body);
    if (parsed == null || !parsed.isObject()) return answer(SendProcessor.Outcome.error(47001, "data format error"));
    long now = clock.nowMillis();
    SendProcessor.Outcome outcome = subscribe ? sends.subscribe(check.appId(), parsed, now) : sends.template(check.appId(), parsed, now);
    if (outcome.errcode() != 0) return answer(outcome);
    // Delivered. The answer may still be lost on its way back: the send is then in doubt.
    switch (faults.afterDelivery()) {
      case HANG -> {
        stats.answerLost();
        Thread.sleep(faults.hangAfterFor()); // the answer comes only after the client has given up
      }
      case GATEWAY_ERROR -> {
        stats.answerLost();
        stats.httpFault(502);
        return WeChatAnswers.httpFault(502);
      }
      case RESET -> {
        stats.answerLost();
        return WeChatAnswers.RESET;
      }
      case ANSWER -> { }
    }
    return answer(outcome);
  }

  private WeChatAnswers.Answer answer(SendProcessor.Outcome outcome) {
    stats.answered(outcome.errcode());
    if (outcome.errcode() != 0) return WeChatAnswers.errorAnswer(outcome.errcode(), outcome.errmsg());
    return outcome.msgid() != 0 ? WeChatAnswers.okWithMsgid(outcome.msgid()) : WeChatAnswers.okAnswer();
  }

  /** Checks appid and secret, answering 41002/40013/41004/40125 when they are wrong. */
  private boolean authenticate(Context ctx, String appId, String secret) {
    if (appId == null || appId.isEmpty()) {
      WeChatAnswers.error(ctx, 41002, "appid missing");
      return false;
    }
    Secret expected = apps.get(appId);
    if (expected == null) {
      WeChatAnswers.error(ctx, 40013, "invalid appid");
      return false;
    }
    if (secret == null || secret.isEmpty()) {
      WeChatAnswers.error(ctx, 41004, "appsecret missing");
      return false;
    }
    if (!expected.matches(secret)) {
      WeChatAnswers.error(ctx, 40125, "invalid appsecret");
      return false;
    }
    return true;
  }

  private void tokenAnswer(Context ctx, TokenAuthority.Issued token) {
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("access_token", token.token);
    answer.put("expires_in", tokens.expiresInSeconds(token));
    WeChatAnswers.json(ctx, answer);
  }

  private JsonNode parse(Context ctx) {
    JsonNode body = parseQuietly(Body.readOrNull(ctx::bodyAsBytes));
    if (body == null || !body.isObject()) {
      WeChatAnswers.error(ctx, 47001, "data format error");
      return null;
    }
    return body;
  }

  /** The body as JSON, or {@code null} when it is missing, empty or malformed. */
  private static JsonNode parseQuietly(byte[] bytes) {
    if (bytes == null || bytes.length == 0) return null;
    try {
      return Json.MAPPER.readTree(bytes);
    } catch (IOException e) {
      return null;
    }
  }
}
