package io.wxpush.wechat;

/**
 * What a WeChat answer means for wxpush (docs/wechat-answers.md): every answer falls in one class, and
 * one place (the sender's {@code SendPolicy}) decides the action for each class.
 */
public enum ErrorClass {
  /** errcode 0: delivered. */
  SENT,
  /** 40001, 40014, 42001: the access token is invalid, not the latest, or expired. */
  TOKEN,
  /** 41028, 41029: this form_id/prepay_id is wrong, expired or used. */
  CREDENTIAL,
  /** 43101 refused / no subscription left, 40003 bad openid: final for this user. */
  USER,
  /** 40037, 41030, 47003, 47001, 45103, 45109: the push itself is wrong; fail it as a whole. */
  REQUEST,
  /** 45009 daily quota, 45011 frequency limit: pause the app, keep the credential. */
  QUOTA,
  /** −1, a connection that was never made, anything unknown: WeChat surely did not act; retry with backoff. */
  TRANSIENT,
  /**
   * The answer was lost after the request was written: HTTP 5xx (a gateway may answer so after
   * WeChat delivered), a reset connection, a time-out. The message may have been delivered.
   */
  IN_DOUBT;

  /** The class of an errcode WeChat answered (HTTP 2xx–4xx with a JSON body). */
  public static ErrorClass of(int errcode) {
    return switch (errcode) {
      case 0 -> SENT;
      case 40001, 40014, 42001 -> TOKEN;
      case 41028, 41029 -> CREDENTIAL;
      case 43101, 40003 -> USER;
      case 40037, 41030, 47003, 47001, 45103, 45109 -> REQUEST;
      case 45009, 45011 -> QUOTA;
      default -> TRANSIENT;
    };
  }
}
