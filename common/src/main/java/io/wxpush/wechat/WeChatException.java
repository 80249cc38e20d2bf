package io.wxpush.wechat;

/** A WeChat call that did not succeed; carries the reply so callers can classify it. */
public final class WeChatException extends Exception {
  private final WeChatReply reply;

  public WeChatException(WeChatReply reply) {
    super("wechat answered errcode=" + reply.errcode() + " http=" + reply.httpStatus() + " errmsg=" + reply.errmsg(), null, false, false);
    this.reply = reply;
  }

  public WeChatReply reply() {
    return reply;
  }
}
