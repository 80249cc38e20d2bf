package io.wxpush.sim;

import io.javalin.http.Context;
import io.wxpush.json.Json;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Writes WeChat's answers: HTTP 200 with a JSON body carrying errcode and errmsg. */
final class WeChatAnswers {
  static final String JSON = "application/json; charset=utf-8";

  /** A complete answer, encoded once, so the send path can write it without Javalin. */
  record Answer(int status, String contentType, byte[] body) {}

  private static final byte[] OK = "{\"errcode\":0,\"errmsg\":\"ok\"}".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] OK_MSGID_PREFIX = "{\"errcode\":0,\"errmsg\":\"ok\",\"msgid\":".getBytes(StandardCharsets.US_ASCII);
  private static final Answer OK_ANSWER = new Answer(200, JSON, OK);
  private static final Answer HTTP_500 = fault(500);
  private static final Answer HTTP_503 = fault(503);
  private static final int MAX_CACHED_ERRORS = 1_000;
  // Error answers of the send path, encoded once each: errmsgs are fixed texts or name a data
  // key, so there are few; past the bound they are encoded every time rather than cached.
  private static final Map<Integer, Map<String, Answer>> ERRORS = new ConcurrentHashMap<>();

  private WeChatAnswers() {}

  static void ok(Context ctx) {
    ctx.contentType(JSON).result(OK);
  }

  static void error(Context ctx, int errcode, String errmsg) {
    write(ctx, errorAnswer(errcode, errmsg));
  }

  static void json(Context ctx, Map<String, Object> body) {
    ctx.contentType(JSON).result(Json.write(body));
  }

  static void write(Context ctx, Answer answer) {
    ctx.status(answer.status()).contentType(answer.contentType()).result(answer.body());
  }

  static Answer okAnswer() {
    return OK_ANSWER;
  }

  static Answer okWithMsgid(long msgid) {
    byte[] digits = Long.toString(msgid).getBytes(StandardCharsets.US_ASCII);
    byte[] body = Arrays.copyOf(OK_MSGID_PREFIX, OK_MSGID_PREFIX.length + digits.length + 1);
    System.arraycopy(digits, 0, body, OK_MSGID_PREFIX.length, digits.length);
    body[body.length - 1] = '}';
    return new Answer(200, JSON, body);
  }

  static Answer errorAnswer(int errcode, String errmsg) {
    Map<String, Answer> byMessage = ERRORS.computeIfAbsent(errcode, k -> new ConcurrentHashMap<>());
    Answer answer = byMessage.get(errmsg);
    if (answer != null) return answer;
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("errcode", errcode);
    body.put("errmsg", errmsg);
    answer = new Answer(200, JSON, Json.write(body));
    if (byMessage.size() < MAX_CACHED_ERRORS) byMessage.putIfAbsent(errmsg, answer);
    return answer;
  }

  /** An injected transport failure: a bare 5xx with a non-JSON body, as a gateway would send. */
  static Answer httpFault(int status) {
    return status == 503 ? HTTP_503 : HTTP_500;
  }

  private static Answer fault(int status) {
    String html = "<html><body><h1>" + status + (status == 503 ? " Service Unavailable" : " Internal Server Error") + "</h1></body></html>";
    return new Answer(status, "text/html; charset=utf-8", html.getBytes(StandardCharsets.UTF_8));
  }
}
