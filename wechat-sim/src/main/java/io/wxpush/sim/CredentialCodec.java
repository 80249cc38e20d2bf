package io.wxpush.sim;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Writes and reads the text of a minted form_id or prepay_id. The text names the minting user
 * and the credential's slot in that user's table, so the sim keeps no map from credential
 * text to state (a million users' credentials fit in a few bytes each). A generation tag, new
 * on every reset, keeps credentials from before a reset from matching anything after it.
 *
 * <p>Two formats ({@link IdFormat}): the sim's short one ({@code simf<gen>_<user36>_<slot36>},
 * {@code wx<gen>_…} for prepay_ids), and WeChat's real shape — a form_id of 32 lowercase hex
 * characters, a prepay_id of {@code wx} and 34 — which packs (user, slot) masked, and a keyed
 * checksum (HMAC-SHA256 keyed with the generation) that recognises it; any other text of that
 * shape is not the sim's. {@link #parse} reads both, whichever the sim mints.
 */
final class CredentialCodec {
  static final String FORM_PREFIX = "simf";
  static final String PREPAY_PREFIX = "wx";

  /** How the sim writes the credentials it mints. */
  enum IdFormat {
    /** {@code simf<gen>_<user36>_<slot36>}: short, readable (the default). */
    SIM,
    /** WeChat's shape: 32 lowercase hex characters for a form_id, {@code wx} + 34 for a prepay_id. */
    REAL;

    static IdFormat parse(String text) {
      return switch (text.trim().toLowerCase(java.util.Locale.ROOT)) {
        case "sim" -> SIM;
        case "real" -> REAL;
        default -> throw new IllegalArgumentException("id format must be sim or real: " + text);
      };
    }
  }

  /** A parsed credential: whose it is and which slot of that user's table. */
  record Parsed(boolean prepay, int userId, int slot) {}

  private static final HexFormat HEX = HexFormat.of();
  /** Bytes of a real-format id's packed (user, slot). */
  private static final int BODY = 8;
  private static final int FORM_BYTES = 16;
  private static final int PREPAY_BYTES = 17;

  private CredentialCodec() {}

  static String format(boolean prepay, String generation, int userId, int slot) {
    return format(IdFormat.SIM, prepay, generation, userId, slot);
  }

  static String format(IdFormat idFormat, boolean prepay, String generation, int userId, int slot) {
    if (idFormat == IdFormat.REAL) return formatReal(prepay, generation, userId, slot);
    return (prepay ? PREPAY_PREFIX : FORM_PREFIX) + generation + "_" + Integer.toString(userId, 36) + "_" + Integer.toString(slot, 36);
  }

  /** Parses a credential of this generation, in either format, or returns {@code null} for anything else. */
  static Parsed parse(String text, String generation) {
    if (text == null) return null;
    Parsed real = parseReal(text, generation);
    if (real != null) return real;
    boolean prepay;
    int start;
    if (text.startsWith(FORM_PREFIX)) {
      prepay = false;
      start = FORM_PREFIX.length();
    } else if (text.startsWith(PREPAY_PREFIX)) {
      prepay = true;
      start = PREPAY_PREFIX.length();
    } else {
      return null;
    }
    if (!text.startsWith(generation, start)) return null;
    start += generation.length();
    if (start >= text.length() || text.charAt(start) != '_') return null;
    int second = text.indexOf('_', start + 1);
    if (second < 0) return null;
    try {
      int userId = Integer.parseInt(text, start + 1, second, 36);
      int slot = Integer.parseInt(text, second + 1, text.length(), 36);
      return userId < 0 || slot < 0 ? null : new Parsed(prepay, userId, slot);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static String formatReal(boolean prepay, String generation, int userId, int slot) {
    byte[] body = ByteBuffer.allocate(BODY).putInt(userId).putInt(slot).array();
    int size = prepay ? PREPAY_BYTES : FORM_BYTES;
    byte[] tag = tag(generation, prepay, body, size - BODY);
    byte[] mask = mask(generation, tag);
    byte[] out = new byte[size];
    for (int i = 0; i < BODY; i++) out[i] = (byte) (body[i] ^ mask[i]);
    System.arraycopy(tag, 0, out, BODY, tag.length);
    return (prepay ? PREPAY_PREFIX : "") + HEX.formatHex(out);
  }

  private static Parsed parseReal(String text, String generation) {
    boolean prepay;
    String hex;
    if (text.length() == 2 * FORM_BYTES) {
      prepay = false;
      hex = text;
    } else if (text.length() == PREPAY_PREFIX.length() + 2 * PREPAY_BYTES && text.startsWith(PREPAY_PREFIX)) {
      prepay = true;
      hex = text.substring(PREPAY_PREFIX.length());
    } else {
      return null;
    }
    for (int i = 0; i < hex.length(); i++) {
      char c = hex.charAt(i);
      if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) return null;
    }
    byte[] in = HEX.parseHex(hex);
    byte[] tag = java.util.Arrays.copyOfRange(in, BODY, in.length);
    byte[] mask = mask(generation, tag);
    byte[] body = new byte[BODY];
    for (int i = 0; i < BODY; i++) body[i] = (byte) (in[i] ^ mask[i]);
    if (!java.security.MessageDigest.isEqual(tag, tag(generation, prepay, body, tag.length))) return null;
    ByteBuffer b = ByteBuffer.wrap(body);
    int userId = b.getInt();
    int slot = b.getInt();
    return userId < 0 || slot < 0 ? null : new Parsed(prepay, userId, slot);
  }

  /** The keyed checksum of a packed (user, slot): {@code length} bytes of HMAC(generation, kind ‖ body). */
  private static byte[] tag(String generation, boolean prepay, byte[] body, int length) {
    Mac mac = mac(generation);
    mac.update((byte) (prepay ? 'p' : 'f'));
    return java.util.Arrays.copyOf(mac.doFinal(body), length);
  }

  /** What masks the packed (user, slot), so that ids look random: HMAC(generation, 'm' ‖ tag). */
  private static byte[] mask(String generation, byte[] tag) {
    Mac mac = mac(generation);
    mac.update((byte) 'm');
    return mac.doFinal(tag);
  }

  private record KeyedMac(String generation, Mac mac) {}

  private static final ThreadLocal<KeyedMac> MACS = new ThreadLocal<>();

  private static Mac mac(String generation) {
    KeyedMac cached = MACS.get();
    if (cached != null && cached.generation().equals(generation)) return cached.mac();
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(("wechat-sim credential " + generation).getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      MACS.set(new KeyedMac(generation, mac));
      return mac;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("every JDK has HmacSHA256", e);
    }
  }
}
