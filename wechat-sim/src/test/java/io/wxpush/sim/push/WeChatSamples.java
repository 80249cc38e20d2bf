package io.wxpush.sim.push;

/**
 * Test vectors WeChat publishes for message encryption ("消息加解密"), quoted, not computed here.
 *
 * <ul>
 *   <li>{@code DECRYPT_*}: the decryption example of WeChat's sample code (cryptoDemo.zip, the
 *       Python and PHP {@code Sample}): token {@code spamtest}, appId {@code wx2c2769f8efd9abc2}, a
 *       pushed XML's {@code Encrypt} and its {@code msg_signature}.
 *   <li>{@code ENCRYPT_*}: the encryption test of the same download's Java sample
 *       ({@code WXBizMsgCryptTest}: random prefix {@code aaaabbbbccccdddd}, appId
 *       {@code wxb11529c136998cb6}), a known answer for a fixed random prefix.
 *   <li>{@code DOC_*}: the access guide of developers.weixin.qq.com's message-push and
 *       encryption pages, Token {@code AAAAA}: the URL check and the plaintext push example.
 * </ul>
 * All use the samples' EncodingAESKey {@code abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG}.
 */
public final class WeChatSamples {
  public static final String ENCODING_AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";

  public static final String DECRYPT_TOKEN = "spamtest";
  public static final String DECRYPT_APP_ID = "wx2c2769f8efd9abc2";
  public static final String DECRYPT_TIMESTAMP = "1409735669";
  public static final String DECRYPT_NONCE = "1320562132";
  public static final String DECRYPT_MSG_SIGNATURE = "5d197aaffba7e9b25a30732f161a50dee96bd5fa";
  public static final String DECRYPT_ENCRYPT = "hyzAe4OzmOMbd6TvGdIOO6uBmdJoD0Fk53REIHvxYtJlE2B655HuD0m8KUePWB3+LrPXo87wzQ1QLvbeUgmBM4x6F8PGHQHFVAFmOD2Ld"
      + "JF9FrXpbUAh0B5GIItb52sn896wVsMSHGuPE328HnRGBcrS7C41IzDWyWNlZkyyXwon8T332jisa+h6tEDYsVticbSnyU8dKOIbgU6ux5VTjg3yt+WGzjlpK"
      + "n6NPhRjpA912xMezR4kw6KWwMrCVKSVCZciVGCgavjIQ6X8tCOp3yZbGpy0VxpAe+77TszTfRd5RJSVO/HTnifJpXgCSUdUue1v6h0EIBYYI1BD1DlD+C0CR8"
      + "e6OewpusjZ4uBl9FyJvnhvQl+q5rv1ixrcpCumEPo5MJSgM9ehVsNPfUM669WuMyVWQLCzpu9GhglF2PE=";
  /** What the sample's {@code Encrypt} holds: the same message the sample shows in plaintext, one element a line. */
  public static final String DECRYPT_PLAINTEXT = "<xml><ToUserName><![CDATA[gh_10f6c3c3ac5a]]></ToUserName>\n"
      + "<FromUserName><![CDATA[oyORnuP8q7ou2gfYjqLzSIWZf0rs]]></FromUserName>\n"
      + "<CreateTime>1409735668</CreateTime>\n"
      + "<MsgType><![CDATA[text]]></MsgType>\n"
      + "<Content><![CDATA[abcdteT]]></Content>\n"
      + "<MsgId>6054768590064713728</MsgId>\n"
      + "</xml>";

  public static final String ENCRYPT_APP_ID = "wxb11529c136998cb6";
  public static final String ENCRYPT_RANDOM = "aaaabbbbccccdddd";
  public static final String ENCRYPT_MESSAGE = "我是中文abcd123";
  public static final String ENCRYPT_RESULT = "jn1L23DB+6ELqJ+6bruv21Y6MD7KeIfP82D6gU39rmkgczbWwt5+3bnyg5K55bgVtVzd832WzZGMhkP72vVOfg==";

  public static final String DOC_TOKEN = "AAAAA";
  public static final String DOC_PUSH_TIMESTAMP = "1714037059";
  public static final String DOC_PUSH_NONCE = "486452656";
  public static final String DOC_PUSH_SIGNATURE = "899cf89e464efb63f54ddac96b0a0a235f53aa78";
  public static final String DOC_CHECK_TIMESTAMP = "1714036504";
  public static final String DOC_CHECK_NONCE = "1514711492";
  public static final String DOC_CHECK_SIGNATURE = "f464b24fc39322e44b38aa78f5edd27bd1441696";

  private WeChatSamples() {}
}
