package io.wxpush.wechat;

/**
 * One answer of the WeChat API, or the transport failure in its place.
 *
 * @param httpStatus the HTTP status, or 0 when no response arrived
 * @param errcode WeChat's errcode (0 = ok); −1 for a transport failure or HTTP 5xx
 * @param errmsg WeChat's errmsg, or a short description of the transport failure
 * @param inDoubt true when the request may have reached WeChat but its answer was lost (a
 *     time-out after the request was written): a send may have been delivered
 */
public record WeChatReply(int httpStatus, int errcode, String errmsg, boolean inDoubt) {

  public static WeChatReply transport(String what, boolean inDoubt) {
    return new WeChatReply(0, -1, what, inDoubt);
  }

  public ErrorClass errorClass() {
    if (httpStatus >= 500 || httpStatus == 0) return ErrorClass.TRANSIENT;
    return ErrorClass.of(errcode);
  }

  public boolean ok() {
    return errorClass() == ErrorClass.SENT;
  }

  /** A short, bounded label for metrics and status: the errcode, or the HTTP status. */
  public String reason() {
    if (httpStatus == 0) return inDoubt ? "timeout" : "io_error";
    if (httpStatus >= 500) return "http_" + httpStatus;
    return Integer.toString(errcode);
  }
}
