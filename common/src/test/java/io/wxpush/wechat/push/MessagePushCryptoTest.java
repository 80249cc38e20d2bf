package io.wxpush.wechat.push;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wxpush.config.Secret;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class MessagePushCryptoTest {
  private static final String KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"; // 43 characters
  private final MessagePushCrypto app = new MessagePushCrypto("wxapp1", Secret.of("pushtoken1"), Optional.of(Secret.of(KEY)));

  @Test
  void theSignatureIsSha1OfTheSortedPartsWithTheToken() throws Exception {
    // sorted: "1700000000", "nonce1", "pushtoken1"
    byte[] d = java.security.MessageDigest.getInstance("SHA-1").digest("1700000000nonce1pushtoken1".getBytes());
    String expected = java.util.HexFormat.of().formatHex(d);
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
    assertThat(java.util.Base64.getDecoder().decode(encrypted).length % 32).as("padded to 32 bytes").isZero();
  }

  @Test
  void aMessageForAnotherAppOrTamperedWithIsRefused() {
    MessagePushCrypto other = new MessagePushCrypto("wxother", Secret.of("pushtoken1"), Optional.of(Secret.of(KEY)));
    assertThatThrownBy(() -> app.decrypt(other.encrypt("{}"))).isInstanceOf(MessagePushCrypto.WrongAppException.class);
    String encrypted = app.encrypt("{}");
    byte[] raw = java.util.Base64.getDecoder().decode(encrypted);
    raw[raw.length - 1] ^= 0x55;
    assertThatThrownBy(() -> app.decrypt(java.util.Base64.getEncoder().encodeToString(raw))).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> app.decrypt("not base64!")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void anEncodingAesKeyIs43Base64Characters() {
    assertThat(MessagePushCrypto.decodeKey(KEY)).hasSize(32);
    assertThatThrownBy(() -> MessagePushCrypto.decodeKey("short")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> MessagePushCrypto.decodeKey("!".repeat(43))).isInstanceOf(IllegalArgumentException.class);
  }
}
