package io.wxpush.sim.push;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * WeChat's side of message-push encryption for one app, written from WeChat's documented scheme
 * ("消息加解密", the technical plan) and checked against its published sample, not against wxpush's
 * own class: the AES key is {@code Base64_Decode(EncodingAESKey + "=")} (32 bytes), AES-256-CBC
 * with the key's first 16 bytes as IV and no cipher padding; the plaintext is
 * {@code random(16) ‖ msg_len(4, network order) ‖ msg ‖ appId}, PKCS#7-padded by hand to a multiple
 * of 32 bytes; the result is Base64. Immutable and thread-safe.
 */
public final class PushCipher {
  /** WeChat pads to 32-byte blocks (PKCS#7 over a 32-byte block, not AES's 16). */
  static final int PAD_BLOCK = 32;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final String appId;
  private final byte[] aesKey;

  /** @param encodingAesKey the console's 43-character EncodingAESKey */
  public PushCipher(String appId, String encodingAesKey) {
    if (appId == null || appId.isEmpty()) throw new IllegalArgumentException("appId is required");
    this.appId = appId;
    this.aesKey = aesKey(encodingAesKey);
  }

  /** The 32 bytes an EncodingAESKey stands for; throws when it is not 43 Base64 characters. */
  public static byte[] aesKey(String encodingAesKey) {
    if (encodingAesKey == null || encodingAesKey.length() != 43) {
      throw new IllegalArgumentException("an EncodingAESKey is 43 characters");
    }
    byte[] key;
    try {
      key = Base64.getDecoder().decode(encodingAesKey + "=");
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("an EncodingAESKey is Base64 characters (a-z, A-Z, 0-9)");
    }
    if (key.length != 32) throw new IllegalArgumentException("an EncodingAESKey stands for 32 bytes");
    return key;
  }

  /** Encrypts {@code message} behind 16 fresh random bytes, as WeChat does for each push. */
  public String encrypt(String message) {
    byte[] random = new byte[16];
    RANDOM.nextBytes(random);
    return encrypt(random, message);
  }

  /** Encrypts {@code message} behind the given 16 bytes (WeChat's sample fixes them to check a known answer). */
  public String encrypt(byte[] random16, String message) {
    if (random16.length != 16) throw new IllegalArgumentException("the random prefix is 16 bytes");
    byte[] msg = message.getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream plain = new ByteArrayOutputStream();
    plain.writeBytes(random16);
    plain.write(msg.length >>> 24);
    plain.write(msg.length >>> 16);
    plain.write(msg.length >>> 8);
    plain.write(msg.length);
    plain.writeBytes(msg);
    plain.writeBytes(appId.getBytes(StandardCharsets.UTF_8));
    int padding = PAD_BLOCK - plain.size() % PAD_BLOCK; // 1..32: a full block when already aligned
    for (int i = 0; i < padding; i++) plain.write(padding);
    return Base64.getEncoder().encodeToString(aes(Cipher.ENCRYPT_MODE, plain.toByteArray()));
  }

  /** What an {@code Encrypt} value holds; {@link IllegalArgumentException} when it is not this key's or is malformed. */
  public Opened decrypt(String encrypted) {
    byte[] raw;
    try {
      raw = Base64.getDecoder().decode(encrypted);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("Encrypt is not Base64");
    }
    if (raw.length == 0 || raw.length % 16 != 0) throw new IllegalArgumentException("Encrypt is not whole AES blocks");
    byte[] plain = aes(Cipher.DECRYPT_MODE, raw);
    int padding = plain[plain.length - 1] & 0xff;
    if (padding < 1 || padding > PAD_BLOCK || padding > plain.length) throw new IllegalArgumentException("Encrypt has a bad padding");
    for (int i = plain.length - padding; i < plain.length; i++) {
      if ((plain[i] & 0xff) != padding) throw new IllegalArgumentException("Encrypt has a bad padding");
    }
    int content = plain.length - padding;
    if (content < 20) throw new IllegalArgumentException("Encrypt is too short");
    long length = ((plain[16] & 0xffL) << 24) | ((plain[17] & 0xff) << 16) | ((plain[18] & 0xff) << 8) | (plain[19] & 0xff);
    if (length > content - 20) throw new IllegalArgumentException("Encrypt has a bad length");
    int end = 20 + (int) length;
    return new Opened(Arrays.copyOf(plain, 16), new String(plain, 20, (int) length, StandardCharsets.UTF_8),
        new String(plain, end, content - end, StandardCharsets.UTF_8));
  }

  /**
   * WeChat's signature: the parts sorted as strings (dictionary order), joined, SHA-1, lower-case
   * hex. {@code signature} signs token, timestamp and nonce; {@code msg_signature} adds the {@code Encrypt} value.
   */
  public static String signature(String token, String... parts) {
    String[] all = new String[parts.length + 1];
    all[0] = token;
    System.arraycopy(parts, 0, all, 1, parts.length);
    Arrays.sort(all);
    StringBuilder joined = new StringBuilder();
    for (String p : all) joined.append(p);
    try {
      byte[] digest = MessageDigest.getInstance("SHA-1").digest(joined.toString().getBytes(StandardCharsets.UTF_8));
      StringBuilder hex = new StringBuilder(40);
      for (byte b : digest) hex.append(Character.forDigit((b >> 4) & 0xf, 16)).append(Character.forDigit(b & 0xf, 16));
      return hex.toString();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA-1 is missing from the JDK", e);
    }
  }

  private byte[] aes(int mode, byte[] input) {
    try {
      Cipher cipher = Cipher.getInstance("AES/CBC/NoPadding");
      cipher.init(mode, new SecretKeySpec(aesKey, "AES"), new IvParameterSpec(Arrays.copyOfRange(aesKey, 0, 16)));
      return cipher.doFinal(input);
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("AES failed: " + e.getMessage());
    }
  }

  /**
   * A decrypted {@code Encrypt}: the 16 random bytes, the message and the appId it names (the
   * receiver must check it is its own).
   */
  public record Opened(byte[] random, String message, String appId) {}
}
