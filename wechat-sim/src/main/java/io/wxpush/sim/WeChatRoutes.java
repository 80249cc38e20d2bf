package io.wxpush.sim;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.wxpush.config.Secret;
import io.wxpush.json.Json;
import java.util.LinkedHashMap;
import java.util.Map;

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

  WeChatRoutes(Map<String, Secret> apps, SimClock clock, TokenAuthority tokens, LoginCodes loginCodes,
      SendProcessor sends, SimFaults faults, SimStats stats) {
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
    routes.post("/cgi-bin/message/wxopen/template/send", ctx -> send(ctx, false));
    routes.post("/cgi-bin/message/subscribe/send", ctx -> send(ctx, true));
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
    answer.put("session_key", java.util.Base64.getEncoder().encodeToString(java.util.UUID.randomUUID().toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII)).substring(0, 24));
    answer.put("openid", openId);
    WeChatAnswers.json(ctx, answer);
  }

  private void send(Context ctx, boolean subscribe) throws InterruptedException {
    faults.applyLatency();
    switch (faults.beforeProcessing()) {
      case HTTP_500 -> {
        stats.httpFault(500);
        WeChatAnswers.httpFault(ctx, 500);
        return;
      }
      case HTTP_503 -> {
        stats.httpFault(503);
        WeChatAnswers.httpFault(ctx, 503);
        return;
      }
      case SYSTEM_ERROR -> {
        answer(ctx, SendProcessor.Outcome.error(-1, "system error"));
        return;
      }
      case HANG_BEFORE -> {
        Thread.sleep(faults.hangBeforeFor());
        answer(ctx, SendProcessor.Outcome.error(-1, "system error"));
        return;
      }
      default -> { }
    }
    String token = ctx.queryParam("access_token");
    if (token == null || token.isEmpty()) {
      answer(ctx, SendProcessor.Outcome.error(41001, "access_token missing"));
      return;
    }
    TokenAuthority.Check check = tokens.check(token);
    if (check.errcode() != 0) {
      answer(ctx, SendProcessor.Outcome.error(check.errcode(), check.errcode() == 42001
          ? "access_token expired" : "invalid credential, access_token is invalid or not latest"));
      return;
    }
    switch (faults.limits(check.appId())) {
      case RATE_LIMITED -> {
        answer(ctx, SendProcessor.Outcome.error(45011, "api minute-quota reach limit, must slower, retry next minute"));
        return;
      }
      case QUOTA_EXCEEDED -> {
        answer(ctx, SendProcessor.Outcome.error(45009, "reach max api daily quota limit"));
        return;
      }
      default -> { }
    }
    JsonNode body = parseQuietly(ctx);
    if (body == null || !body.isObject()) {
      answer(ctx, SendProcessor.Outcome.error(47001, "data format error"));
      return;
    }
    long now = clock.nowMillis();
    SendProcessor.Outcome outcome = subscribe ? sends.subscribe(check.appId(), body, now) : sends.template(check.appId(), body, now);
    if (outcome.errcode() == 0 && faults.hangAfterDelivery()) {
      // Delivered; the answer comes only after the client has given up (in-doubt send).
      Thread.sleep(faults.hangAfterFor());
    }
    answer(ctx, outcome);
  }

  private void answer(Context ctx, SendProcessor.Outcome outcome) {
    stats.answered(outcome.errcode());
    if (outcome.errcode() == 0) {
      if (outcome.msgid() != 0) WeChatAnswers.okWithMsgid(ctx, outcome.msgid());
      else WeChatAnswers.ok(ctx);
    } else {
      WeChatAnswers.error(ctx, outcome.errcode(), outcome.errmsg());
    }
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
    JsonNode body = parseQuietly(ctx);
    if (body == null || !body.isObject()) {
      WeChatAnswers.error(ctx, 47001, "data format error");
      return null;
    }
    return body;
  }

  private static JsonNode parseQuietly(Context ctx) {
    try {
      byte[] bytes = ctx.bodyAsBytes();
      return bytes.length == 0 ? null : Json.MAPPER.readTree(bytes);
    } catch (java.io.IOException | RuntimeException e) {
      return null;
    }
  }
}
