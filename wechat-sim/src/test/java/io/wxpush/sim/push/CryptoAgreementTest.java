package io.wxpush.sim.push;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wxpush.secret.Secret;
import io.wxpush.wechat.push.MessagePushCrypto;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * wxpush's {@link MessagePushCrypto} and the sim's independent {@link PushCipher} agree both ways:
 * what one encrypts the other opens, what one signs the other verifies. (Each is checked against
 * WeChat's published samples on its own: {@code MessagePushCryptoTest} in common, {@link PushCipherTest}
 * here.) It lives in the sim's tests, the one place that sees both classes.
 */
class CryptoAgreementTest {
  private static final String APP = "wxagree0123456789";
  private static final String TOKEN = "pushtoken1";
  private static final String MESSAGE = "{\"ToUserName\":\"gh_x\",\"FromUserName\":\"o-1\",\"CreateTime\":1700000000,"
      + "\"MsgType\":\"event\",\"Event\":\"subscribe_msg_popup_event\",\"List\":{\"TemplateId\":\"订阅 ✓\"}}";

  private final MessagePushCrypto wxpush = new MessagePushCrypto(APP, Secret.of(TOKEN), Optional.of(Secret.of(WeChatSamples.ENCODING_AES_KEY)));
  private final PushCipher sim = new PushCipher(APP, WeChatSamples.ENCODING_AES_KEY);

  @Test
  void whatTheSimEncryptsWxpushDecryptsForEveryLengthAroundABlock() {
    for (int extra = 0; extra <= 64; extra++) {
      String message = MESSAGE + "x".repeat(extra);
      assertThat(wxpush.decrypt(sim.encrypt(message))).as("%d extra bytes", extra).isEqualTo(message);
    }
  }

  @Test
  void whatWxpushEncryptsTheSimDecryptsForEveryLengthAroundABlock() {
    for (int extra = 0; extra <= 64; extra++) {
      String message = MESSAGE + "x".repeat(extra);
      PushCipher.Opened opened = sim.decrypt(wxpush.encrypt(message));
      assertThat(opened.message()).as("%d extra bytes", extra).isEqualTo(message);
      assertThat(opened.appId()).isEqualTo(APP);
    }
  }

  @Test
  void wxpushRefusesWhatTheSimEncryptedForAnotherApp() {
    assertThatThrownBy(() -> wxpush.decrypt(new PushCipher("wxanotherapp", WeChatSamples.ENCODING_AES_KEY).encrypt(MESSAGE)))
        .isInstanceOf(MessagePushCrypto.WrongAppException.class);
  }

  @Test
  void whatTheSimSignsWxpushVerifiesAndTheOtherWayRound() {
    String encrypted = sim.encrypt(MESSAGE);
    assertThat(wxpush.verify(PushCipher.signature(TOKEN, "1700000000", "nonce1"), "1700000000", "nonce1")).isTrue();
    assertThat(wxpush.verify(PushCipher.signature(TOKEN, "1700000000", "nonce1", encrypted), "1700000000", "nonce1", encrypted)).isTrue();
    assertThat(wxpush.verify(PushCipher.signature("othertoken", "1700000000", "nonce1"), "1700000000", "nonce1")).isFalse();
    assertThat(PushCipher.signature(TOKEN, "1700000000", "nonce1", encrypted)).isEqualTo(wxpush.sign("1700000000", "nonce1", encrypted));
  }
}
