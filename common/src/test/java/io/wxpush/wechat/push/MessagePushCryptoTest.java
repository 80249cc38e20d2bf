package io.wxpush.wechat.push;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wxpush.secret.Secret;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * wxpush's message-push crypto against WeChat's published samples (values quoted from WeChat's
 * sample code, cryptoDemo.zip, and the access guide on developers.weixin.qq.com; they decrypt and
 * sign the same in the sim's independent {@code PushCipherTest}), then its own round trips. The
 * test that wxpush and the sim agree both ways is wechat-sim's {@code io.wxpush.sim.push.CryptoAgreementTest}.
 */
class MessagePushCryptoTest {
  /** The EncodingAESKey of every WeChat sample. */
  private static final String SAMPLE_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";
  /** WeChat sample code's decryption example (Sample.py / Sample.php): token, appId, timestamp, nonce, msg_signature, Encrypt. */
  private static final String SAMPLE_TOKEN = "spamtest";
  private static final String SAMPLE_APP = "wx2c2769f8efd9abc2";
  private static final String SAMPLE_TIMESTAMP = "1409735669";
  private static final String SAMPLE_NONCE = "1320562132";
  private static final String SAMPLE_MSG_SIGNATURE = "5d197aaffba7e9b25a30732f161a50dee96bd5fa";
  private static final String SAMPLE_ENCRYPT = "hyzAe4OzmOMbd6TvGdIOO6uBmdJoD0Fk53REIHvxYtJlE2B655HuD0m8KUePWB3+LrPXo87wzQ1QLvbeUgmBM4x6F8PGHQHFVAFmOD2Ld"
      + "JF9FrXpbUAh0B5GIItb52sn896wVsMSHGuPE328HnRGBcrS7C41IzDWyWNlZkyyXwon8T332jisa+h6tEDYsVticbSnyU8dKOIbgU6ux5VTjg3yt+WGzjlpK"
      + "n6NPhRjpA912xMezR4kw6KWwMrCVKSVCZciVGCgavjIQ6X8tCOp3yZbGpy0VxpAe+77TszTfRd5RJSVO/HTnifJpXgCSUdUue1v6h0EIBYYI1BD1DlD+C0CR8"
      + "e6OewpusjZ4uBl9FyJvnhvQl+q5rv1ixrcpCumEPo5MJSgM9ehVsNPfUM669WuMyVWQLCzpu9GhglF2PE=";
  private static final String SAMPLE_PLAINTEXT = "<xml><ToUserName><![CDATA[gh_10f6c3c3ac5a]]></ToUserName>\n"
      + "<FromUserName><![CDATA[oyORnuP8q7ou2gfYjqLzSIWZf0rs]]></FromUserName>\n"
      + "<CreateTime>1409735668</CreateTime>\n"
      + "<MsgType><![CDATA[text]]></MsgType>\n"
      + "<Content><![CDATA[abcdteT]]></Content>\n"
      + "<MsgId>6054768590064713728</MsgId>\n"
      + "</xml>";
  /** WeChat's Java sample test (WXBizMsgCryptTest): this message for this appId, behind the random prefix "aaaabbbbccccdddd". */
  private static final String SAMPLE2_APP = "wxb11529c136998cb6";
  private static final String SAMPLE2_MESSAGE = "我是中文abcd123";
  private static final String SAMPLE2_RANDOM = "aaaabbbbccccdddd";
  private static final String SAMPLE2_ENCRYPT = "jn1L23DB+6ELqJ+6bruv21Y6MD7KeIfP82D6gU39rmkgczbWwt5+3bnyg5K55bgVtVzd832WzZGMhkP72vVOfg==";


  private static final String KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"; // 43 characters
  private final MessagePushCrypto app = new MessagePushCrypto("wxapp1", Secret.of("pushtoken1"), Optional.of(Secret.of(KEY)));

  @Test
  void decryptsWeChatsSampleMessageAndVerifiesItsMsgSignature() {
    MessagePushCrypto sample = new MessagePushCrypto(SAMPLE_APP, Secret.of(SAMPLE_TOKEN), Optional.of(Secret.of(SAMPLE_KEY)));
    assertThat(sample.verify(SAMPLE_MSG_SIGNATURE, SAMPLE_TIMESTAMP, SAMPLE_NONCE, SAMPLE_ENCRYPT)).isTrue();
    assertThat(sample.sign(SAMPLE_TIMESTAMP, SAMPLE_NONCE, SAMPLE_ENCRYPT)).isEqualTo(SAMPLE_MSG_SIGNATURE);
    assertThat(sample.decrypt(SAMPLE_ENCRYPT)).isEqualTo(SAMPLE_PLAINTEXT);
  }

  @Test
  void encryptsWeChatsSampleMessageToItsCiphertextGivenItsRandomPrefix() {
    // the only check that sees the IV and the padding block: decryption discards the first block (the random prefix)
    MessagePushCrypto sample = new MessagePushCrypto(SAMPLE2_APP, Secret.of("pamtest"), Optional.of(Secret.of(SAMPLE_KEY)));
    assertThat(sample.encrypt(SAMPLE2_MESSAGE, SAMPLE2_RANDOM.getBytes(StandardCharsets.US_ASCII))).isEqualTo(SAMPLE2_ENCRYPT);
  }

  @Test
  void decryptsWeChatsSampleEncryptionToItsChineseMessage() {
    MessagePushCrypto sample = new MessagePushCrypto(SAMPLE2_APP, Secret.of("pamtest"), Optional.of(Secret.of(SAMPLE_KEY)));
    assertThat(sample.decrypt(SAMPLE2_ENCRYPT)).isEqualTo(SAMPLE2_MESSAGE);
    MessagePushCrypto otherApp = new MessagePushCrypto(SAMPLE_APP, Secret.of("pamtest"), Optional.of(Secret.of(SAMPLE_KEY)));
    assertThatThrownBy(() -> otherApp.decrypt(SAMPLE2_ENCRYPT)).isInstanceOf(MessagePushCrypto.WrongAppException.class);
  }

  @Test
  void signsTheDocumentedUrlCheckAndPlaintextPushToTheirSignatures() {
    // developers.weixin.qq.com, message push access guide, Token "AAAAA"
    MessagePushCrypto doc = new MessagePushCrypto("wxdoc", Secret.of("AAAAA"), Optional.empty());
    assertThat(doc.verify("899cf89e464efb63f54ddac96b0a0a235f53aa78", "1714037059", "486452656")).isTrue();
    assertThat(doc.verify("f464b24fc39322e44b38aa78f5edd27bd1441696", "1714036504", "1514711492")).isTrue();
  }

  @Test
  void theSignatureIsSha1OfTheSortedPartsWithTheToken() throws Exception {
    // sorted: "1700000000", "nonce1", "pushtoken1"
    byte[] d = MessageDigest.getInstance("SHA-1").digest("1700000000nonce1pushtoken1".getBytes());
    String expected = HexFormat.of().formatHex(d);
    assertThat(app.sign("1700000000", "nonce1")).isEqualTo(expected);
    assertThat(app.verify(expected, "nonce1", "1700000000")).as("order of the parts does not matter").isTrue();
    assertThat(app.verify(expected.toUpperCase(), "1700000000", "nonce1")).isTrue();
    assertThat(app.verify(expected, "1700000001", "nonce1")).isFalse();
    assertThat(app.verify(null, "1700000000", "nonce1")).isFalse();
    assertThat(app.verify(expected, null, "nonce1")).isFalse();
  }

  @Test
  void whatWeChatEncryptsDecryptsToTheMessage() {
    String message = "{\"Event\":\"subscribe_msg_popup_event\",\"FromUserName\":\"o-1\",\"text\":\"订阅 ✓\"}";
    String encrypted = app.encrypt(message);
    assertThat(encrypted).isNotEqualTo(app.encrypt(message)).as("random prefix");
    assertThat(app.decrypt(encrypted)).isEqualTo(message);
    assertThat(Base64.getDecoder().decode(encrypted).length % 32).as("padded to 32 bytes").isZero();
  }

  @Test
  void aMessageForAnotherAppOrTamperedWithIsRefused() {
    MessagePushCrypto other = new MessagePushCrypto("wxother", Secret.of("pushtoken1"), Optional.of(Secret.of(KEY)));
    assertThatThrownBy(() -> app.decrypt(other.encrypt("{}"))).isInstanceOf(MessagePushCrypto.WrongAppException.class);
    String encrypted = app.encrypt("{}");
    byte[] raw = Base64.getDecoder().decode(encrypted);
    raw[raw.length - 1] ^= 0x55;
    assertThatThrownBy(() -> app.decrypt(Base64.getEncoder().encodeToString(raw))).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> app.decrypt("not base64!")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void anEncodingAesKeyIs43Base64Characters() {
    assertThat(MessagePushCrypto.decodeKey(KEY)).hasSize(32);
    assertThatThrownBy(() -> MessagePushCrypto.decodeKey("short")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> MessagePushCrypto.decodeKey("!".repeat(43))).isInstanceOf(IllegalArgumentException.class);
  }
}
