package io.wxpush.wechat.push;

import io.wxpush.secret.Secret;
import io.wxpush.wechat.WeChatApp;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * WeChat's message-push signatures and safe-mode encryption, for one app: {@code signature =
 * sha1(sorted token, timestamp, nonce)}, {@code msg_signature = sha1(sorted token, timestamp,
 * nonce, Encrypt)}; AES-256-CBC keyed with {@code base64(EncodingAESKey + "=")}, the IV its first
 * 16 bytes, PKCS#7 padding to 32 bytes, over 16 random bytes, the message's length (4 bytes, big
 * endian), the message and the appId. The JDK's AES and SHA-1 do the work; this class only lays
 * the bytes out. Immutable, thread-safe.
 */
public final class MessagePushCrypto {
  private static final int BLOCK = 32;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final String appId;
  private final Secret token;
  private final Optional<byte[]> aesKey;

  /** @param encodingAesKey the console's 43-character EncodingAESKey, absent in plaintext mode */
  public MessagePushCrypto(String appId, Secret token, Optional<Secret> encodingAesKey) {
    this.appId = appId;
    this.token = token;
    this.aesKey = encodingAesKey.map(k -> decodeKey(k.reveal()));
  }

  /** The message-push signer and decrypter of {@code app}, when its token is configured. */
  public static Optional<MessagePushCrypto> of(WeChatApp app) {
    return app.pushToken().map(t -> new MessagePushCrypto(app.appId(), t, app.encodingAesKey()));
  }

  /** The 32-byte AES key an EncodingAESKey stands for; throws when it is not 43 base64 characters. */
  public static byte[] decodeKey(String encodingAesKey) {
    return WeChatApp.decodeAesKey(encodingAesKey);
  }

  public boolean canDecrypt() {
    return aesKey.isPresent();
  }

  /** {@code sha1} of the sorted parts joined, in hex: WeChat's signature. */
  public String sign(String... parts) {
    String[] sorted = Arrays.copyOf(parts, parts.length + 1);
    sorted[parts.length] = token.reveal();
    Arrays.sort(sorted);
    try {
      byte[] d = MessageDigest.getInstance("SHA-1").digest(String.join("", sorted).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Whether {@code signature} is {@link #sign} of the parts, compared in constant time. */
  public boolean verify(String signature, String... parts) {
    if (signature == null) return false;
    for (String p : parts) if (p == null) return false;
    return MessageDigest.isEqual(sign(parts).getBytes(StandardCharsets.US_ASCII), signature.toLowerCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII));
  }

  /** Decrypts an {@code Encrypt} value; throws {@link IllegalArgumentException} when it is not one of this app's. */
  public String decrypt(String encrypted) {
    byte[] key = aesKey.orElseThrow(() -> new IllegalArgumentException("this app has no EncodingAESKey: safe mode is off"));
    byte[] plain;
    try {
      Cipher cipher = Cipher.getInstance("AES/CBC/NoPadding");
      cipher.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "AES"), new IvParameterSpec(key, 0, 16));
      plain = cipher.doFinal(Base64.getDecoder().decode(encrypted));
    } catch (IllegalArgumentException | GeneralSecurityException e) {
      throw new IllegalArgumentException("Encrypt does not decrypt with this app's key");
    }
    int pad = plain.length == 0 ? 0 : plain[plain.length - 1] & 0xff;
    if (pad < 1 || pad > BLOCK || pad > plain.length - 20) throw new IllegalArgumentException("Encrypt has a bad padding");
    int end = plain.length - pad;
    int length = ByteBuffer.wrap(plain, 16, 4).getInt();
    if (length < 0 || 20 + length > end) throw new IllegalArgumentException("Encrypt has a bad length");
    String from = new String(plain, 20 + length, end - 20 - length, StandardCharsets.UTF_8);
    if (!from.equals(appId)) throw new WrongAppException();
    return new String(plain, 20, length, StandardCharsets.UTF_8);
  }

  /** Encrypts a message as WeChat does (tests'; the sim has its own implementation). */
  public String encrypt(String message) {
    byte[] random = new byte[16];
    RANDOM.nextBytes(random);
    return encrypt(message, random);
  }

  /** {@link #encrypt(String)} behind a given 16-byte prefix: WeChat's sample fixes it, so tests can check its known answer. */
  String encrypt(String message, byte[] random) {
    byte[] key = aesKey.orElseThrow(() -> new IllegalArgumentException("this app has no EncodingAESKey"));
    byte[] msg = message.getBytes(StandardCharsets.UTF_8);
    byte[] app = appId.getBytes(StandardCharsets.UTF_8);
    int raw = 20 + msg.length + app.length;
    int pad = BLOCK - raw % BLOCK;
    ByteBuffer buf = ByteBuffer.allocate(raw + pad);
    buf.put(random).putInt(msg.length).put(msg).put(app);
    for (int i = 0; i < pad; i++) buf.put((byte) pad);
    try {
      Cipher cipher = Cipher.getInstance("AES/CBC/NoPadding");
      cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new IvParameterSpec(key, 0, 16));
      return Base64.getEncoder().encodeToString(cipher.doFinal(buf.array()));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A safe-mode message that decrypted, but names another app. */
  public static final class WrongAppException extends IllegalArgumentException {
    WrongAppException() {
      super("the message is for another app");
    }
  }
}
