package io.wxpush.wechat;

/**
 * One answer of the WeChat API, or the transport failure in its place.
 *
 * @param httpStatus the HTTP status, or 0 when no response arrived
 * @param errcode WeChat's errcode (0 = ok); −1 for a transport failure or HTTP 5xx
 * @param errmsg WeChat's errmsg, or a short description of the transport failure
 * @param inDoubt true when the request was written but its answer was lost (HTTP 5xx, a reset
 *     connection, a time-out after the request went out): a send may have been delivered
 * @param msgid the {@code msgid} of a delivered subscribe message (0 when WeChat gave none):
 *     {@code subscribe_msg_sent_event} names a later failure of it by this id
 */
public record WeChatReply(int httpStatus, int errcode, String errmsg, boolean inDoubt, long msgid) {

  public WeChatReply(int httpStatus, int errcode, String errmsg, boolean inDoubt) {
    this(httpStatus, errcode, errmsg, inDoubt, 0);
  }

  /** Transport failures, by what is known of the request: it never left, or it left and its answer is lost. */
  public static final String TIMED_OUT = "timeout";
  public static final String CONNECTION_LOST = "connection_lost";
  public static final String NOT_SENT = "io_error";

  /**
   * A call that got no HTTP answer.
   *
   * @param what {@link #TIMED_OUT} or {@link #CONNECTION_LOST} after the request was written
   *     ({@code inDoubt} true), else {@link #NOT_SENT} or a short description
   */
  public static WeChatReply transport(String what, boolean inDoubt) {
    return new WeChatReply(0, -1, what, inDoubt);
  }

  public ErrorClass errorClass() {
    if (inDoubt) return ErrorClass.IN_DOUBT;
    if (httpStatus >= 500 || httpStatus == 0) return ErrorClass.TRANSIENT;
    return ErrorClass.of(errcode);
  }

  public boolean ok() {
    return errorClass() == ErrorClass.SENT;
  }

  /** A short, bounded label for metrics and status: the errcode, the HTTP status, or the transport failure. */
  public String reason() {
    if (httpStatus == 0) return inDoubt ? (TIMED_OUT.equals(errmsg) ? TIMED_OUT : CONNECTION_LOST) : NOT_SENT;
    if (httpStatus >= 500) return "http_" + httpStatus;
    return Integer.toString(errcode);
  }
}
