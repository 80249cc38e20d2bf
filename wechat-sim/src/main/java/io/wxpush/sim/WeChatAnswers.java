package io.wxpush.sim;

import io.javalin.http.Context;
import io.wxpush.json.Json;
import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Request;

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
  private static final Answer HTTP_502 = fault(502);
  /** Not an answer: the connection is reset instead (recognised by identity). */
  static final Answer RESET = new Answer(0, "", new byte[0]);
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
    if (answer == RESET) {
      reset(ServletContextRequest.getServletContextRequest(ctx.req()));
      return;
    }
    ctx.status(answer.status()).contentType(answer.contentType()).result(answer.body());
  }

  /**
   * Resets the request's connection (TCP RST, no answer), as a broken network path or a
   * crashing gateway would after WeChat had acted on the request.
   */
  static void reset(Request request) {
    EndPoint endPoint = request.getConnectionMetaData().getConnection().getEndPoint();
    if (endPoint.getTransport() instanceof SocketChannel channel) {
      try {
        channel.setOption(StandardSocketOptions.SO_LINGER, 0);
      } catch (IOException e) {
        // closed already: nothing more to reset
      }
    }
    endPoint.close();
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
    return switch (status) {
      case 502 -> HTTP_502;
      case 503 -> HTTP_503;
      default -> HTTP_500;
    };
  }

  private static Answer fault(int status) {
    String reason = switch (status) {
      case 502 -> " Bad Gateway";
      case 503 -> " Service Unavailable";
      default -> " Internal Server Error";
    };
    String html = "<html><body><h1>" + status + reason + "</h1></body></html>";
    return new Answer(status, "text/html; charset=utf-8", html.getBytes(StandardCharsets.UTF_8));
  }
}
