package io.wxpush.sim;

import io.javalin.http.Context;
import io.wxpush.json.Json;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** Writes WeChat's answers: HTTP 200 with a JSON body carrying errcode and errmsg. */
final class WeChatAnswers {
  private static final byte[] OK = "{\"errcode\":0,\"errmsg\":\"ok\"}".getBytes(StandardCharsets.US_ASCII);
  private static final String JSON = "application/json; charset=utf-8";

  private WeChatAnswers() {}

  static void ok(Context ctx) {
    ctx.contentType(JSON).result(OK);
  }

  static void okWithMsgid(Context ctx, long msgid) {
    ctx.contentType(JSON).result(("{\"errcode\":0,\"errmsg\":\"ok\",\"msgid\":" + msgid + "}").getBytes(StandardCharsets.US_ASCII));
  }

  static void error(Context ctx, int errcode, String errmsg) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("errcode", errcode);
    body.put("errmsg", errmsg);
    ctx.contentType(JSON).result(Json.write(body));
  }

  static void json(Context ctx, Map<String, Object> body) {
    ctx.contentType(JSON).result(Json.write(body));
  }

  /** An injected transport failure: a bare 5xx with a non-JSON body, as a gateway would send. */
  static void httpFault(Context ctx, int status) {
    ctx.status(status).contentType("text/html; charset=utf-8")
        .result("<html><body><h1>" + status + (status == 503 ? " Service Unavailable" : " Internal Server Error") + "</h1></body></html>");
  }
}
