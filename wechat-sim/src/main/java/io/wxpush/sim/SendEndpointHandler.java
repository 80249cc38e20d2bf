package io.wxpush.sim;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.io.EofException;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers the two send endpoints straight from Jetty, in front of Javalin, so that a send costs
 * no more than the HTTP exchange and {@link WeChatRoutes#send}: Javalin's per-request context,
 * routing and response copying cost about as much as the send itself (a JFR profile under wrk
 * showed {@code JavalinServlet} in 17 % of samples against 7 % for the sim's own send code).
 * Only {@code POST} to the exact paths, with a {@code Content-Length} within the body limit, is
 * handled here; everything else (chunked or oversized bodies, other methods, trailing slashes)
 * goes on to Javalin, whose routes answer the same way. Runs on the server's virtual threads,
 * so latency and hang faults block nothing but the request's own thread.
 */
final class SendEndpointHandler extends Handler.Wrapper {
  static final String TEMPLATE_PATH = "/cgi-bin/message/wxopen/template/send";
  static final String SUBSCRIBE_PATH = "/cgi-bin/message/subscribe/send";
  private static final Logger log = LoggerFactory.getLogger(SendEndpointHandler.class);
  private static final byte[] INTERNAL_ERROR =
      "{\"error\":{\"code\":\"internal\",\"message\":\"internal error\"}}".getBytes(StandardCharsets.US_ASCII);

  private final WeChatRoutes routes;
  private final RequestRecorder recorder;
  private final long maxRequestBytes;

  SendEndpointHandler(WeChatRoutes routes, RequestRecorder recorder, long maxRequestBytes) {
    this.routes = routes;
    this.recorder = recorder;
    this.maxRequestBytes = maxRequestBytes;
  }

  /** Blocking: latency and hang faults sleep in {@link #handle}. */
  @Override
  public InvocationType getInvocationType() {
    return InvocationType.BLOCKING;
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) throws Exception {
    if (!HttpMethod.POST.is(request.getMethod())) return super.handle(request, response, callback);
    String path = request.getHttpURI().getPath();
    boolean subscribe;
    if (TEMPLATE_PATH.equals(path)) subscribe = false;
    else if (SUBSCRIBE_PATH.equals(path)) subscribe = true;
    else return super.handle(request, response, callback);
    long length = request.getLength();
    if (length < 0 || length > maxRequestBytes) return super.handle(request, response, callback);

    WeChatAnswers.Answer answer;
    try {
      String token = request.getHttpURI().getQuery() == null ? null
          : Request.extractQueryParameters(request, StandardCharsets.UTF_8).getValue("access_token");
      answer = routes.send(subscribe, token, WeChatRoutes.Body.readOrNull(() -> recorded(request)));
    } catch (RuntimeException e) {
      log.error("event=unhandled_error method=POST route={}", path, e);
      answer = new WeChatAnswers.Answer(500, "application/json", INTERNAL_ERROR);
    }
    if (answer == WeChatAnswers.RESET) {
      WeChatAnswers.reset(request);
      callback.failed(new EofException("connection reset by wechat-sim"));
      return true;
    }
    response.setStatus(answer.status());
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, answer.contentType());
    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, answer.body().length);
    response.write(true, ByteBuffer.wrap(answer.body()), callback);
    return true;
  }

  /** The whole body, recorded with the request before anything else happens to it. */
  private byte[] recorded(Request request) throws IOException {
    byte[] bytes;
    try {
      bytes = body(request);
    } catch (IOException | RuntimeException e) {
      recorder.record(request, new byte[0]);
      throw e;
    }
    recorder.record(request, bytes);
    return bytes;
  }

  /** The whole body (blocking; the length was checked against the limit before). */
  private static byte[] body(Request request) throws IOException {
    ByteBuffer buffer = Content.Source.asByteBuffer(request);
    byte[] bytes = new byte[buffer.remaining()];
    buffer.get(bytes);
    return bytes;
  }
}
