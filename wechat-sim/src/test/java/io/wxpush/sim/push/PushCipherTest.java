package io.wxpush.sim.push;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/**
 * The sim's message-push crypto against WeChat's own published samples (see {@link WeChatSamples}
 * for where each value comes from): it must open WeChat's ciphertext, produce WeChat's
 * ciphertext for WeChat's fixed random prefix, and sign to WeChat's signatures.
 */
class PushCipherTest {
  @Test
  void decryptsWeChatsSampleMessageToItsXmlAndAppId() {
    PushCipher.Opened opened = new PushCipher(WeChatSamples.DECRYPT_APP_ID, WeChatSamples.ENCODING_AES_KEY)
        .decrypt(WeChatSamples.DECRYPT_ENCRYPT);
    assertThat(opened.message()).isEqualTo(WeChatSamples.DECRYPT_PLAINTEXT);
    assertThat(opened.appId()).isEqualTo(WeChatSamples.DECRYPT_APP_ID);
  }

  @Test
  void signsWeChatsSampleMessageToItsMsgSignature() {
    assertThat(PushCipher.signature(WeChatSamples.DECRYPT_TOKEN, WeChatSamples.DECRYPT_TIMESTAMP, WeChatSamples.DECRYPT_NONCE,
        WeChatSamples.DECRYPT_ENCRYPT)).isEqualTo(WeChatSamples.DECRYPT_MSG_SIGNATURE);
  }

  @Test
  void encryptsWeChatsSampleReplyToTheSampleCiphertextGivenItsRandomPrefix() {
    PushCipher cipher = new PushCipher(WeChatSamples.ENCRYPT_APP_ID, WeChatSamples.ENCODING_AES_KEY);
    String encrypted = cipher.encrypt(WeChatSamples.ENCRYPT_RANDOM.getBytes(StandardCharsets.US_ASCII), WeChatSamples.ENCRYPT_MESSAGE);
    assertThat(encrypted).isEqualTo(WeChatSamples.ENCRYPT_RESULT);
    PushCipher.Opened opened = cipher.decrypt(WeChatSamples.ENCRYPT_RESULT);
    assertThat(new String(opened.random(), StandardCharsets.US_ASCII)).isEqualTo(WeChatSamples.ENCRYPT_RANDOM);
    assertThat(opened.message()).isEqualTo(WeChatSamples.ENCRYPT_MESSAGE);
    assertThat(opened.appId()).isEqualTo(WeChatSamples.ENCRYPT_APP_ID);
  }

  @Test
  void signsTheDocumentedUrlCheckAndPlaintextPushToTheirSignatures() {
    assertThat(PushCipher.signature(WeChatSamples.DOC_TOKEN, WeChatSamples.DOC_PUSH_TIMESTAMP, WeChatSamples.DOC_PUSH_NONCE))
        .isEqualTo(WeChatSamples.DOC_PUSH_SIGNATURE);
    assertThat(PushCipher.signature(WeChatSamples.DOC_TOKEN, WeChatSamples.DOC_CHECK_TIMESTAMP, WeChatSamples.DOC_CHECK_NONCE))
        .isEqualTo(WeChatSamples.DOC_CHECK_SIGNATURE);
  }

  @Test
  void padsToWholeThirtyTwoByteBlocksWithAFullBlockWhenAligned() {
    PushCipher cipher = new PushCipher("wx0123456789abcd", WeChatSamples.ENCODING_AES_KEY); // 16-byte appId
    byte[] random = new byte[16];
    // 16 + 4 + 12 + 16 = 48: 16 bytes of padding; 16 + 4 + 28 + 16 = 64: a whole block of 32
    assertThat(Base64.getDecoder().decode(cipher.encrypt(random, "x".repeat(12)))).hasSize(64);
    assertThat(Base64.getDecoder().decode(cipher.encrypt(random, "x".repeat(28)))).hasSize(96);
    assertThat(cipher.decrypt(cipher.encrypt(random, "x".repeat(28))).message()).isEqualTo("x".repeat(28));
  }

  @Test
  void refusesATamperedOrForeignCiphertextAndABadKey() {
    PushCipher cipher = new PushCipher(WeChatSamples.ENCRYPT_APP_ID, WeChatSamples.ENCODING_AES_KEY);
    byte[] raw = Base64.getDecoder().decode(WeChatSamples.ENCRYPT_RESULT);
    raw[raw.length - 1] ^= 0x55;
    assertThatThrownBy(() -> cipher.decrypt(Base64.getEncoder().encodeToString(raw))).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> cipher.decrypt("not base64!")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> PushCipher.aesKey("short")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> PushCipher.aesKey("!".repeat(43))).isInstanceOf(IllegalArgumentException.class);
  }
}
