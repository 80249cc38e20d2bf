package io.wxpush.ingest.push;

import io.wxpush.secret.Secret;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The signatures of a callback, both keyed with the bytes of the push API key that created the
 * push (BRIEF §3 callbackUrl): {@code X-Wxpush-Signature: sha256=<hex HMAC-SHA256 of the body>},
 * and the Standard Webhooks {@code webhook-signature: v1,<base64 HMAC-SHA256 of
 * "id.timestamp.body">} with its stable message id. Stateless.
 */
final class CallbackSignatures {
  private CallbackSignatures() {}

  /** The hex HMAC-SHA256 of {@code body} keyed with {@code key}. */
  static String hex(Secret key, byte[] body) {
    return HexFormat.of().formatHex(hmac(key, body));
  }

  /** The {@code webhook-signature} value: {@code v1,} and the base64 HMAC-SHA256 of {@code id.timestamp.body}. */
  static String standard(Secret key, String messageId, long timestampSeconds, byte[] body) {
    byte[] prefix = (messageId + "." + timestampSeconds + ".").getBytes(StandardCharsets.UTF_8);
    byte[] signed = new byte[prefix.length + body.length];
    System.arraycopy(prefix, 0, signed, 0, prefix.length);
    System.arraycopy(body, 0, signed, prefix.length, body.length);
    return "v1," + Base64.getEncoder().encodeToString(hmac(key, signed));
  }

  /**
   * The {@code webhook-id} of a push's callback: the same on every attempt (a receiver drops
   * repeats by it), different for the same requestId in two apps; {@code msg_} and 32 hex digits.
   */
  static String messageId(String appId, String requestId) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest((appId + "\n" + requestId).getBytes(StandardCharsets.UTF_8));
      return "msg_" + HexFormat.of().formatHex(d, 0, 16);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] hmac(Secret key, byte[] data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key.bytes(), "HmacSHA256"));
      return mac.doFinal(data);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
