package io.wxpush.credentials;

import java.util.HexFormat;

/**
 * Writes WeChat-shaped credential text compactly for a pool member, and reads it back exactly:
 * a form_id of 32 lowercase hex characters is its 16 bytes in base 85 (20 characters), a prepay_id
 * {@code wx} + 34 lowercase hex characters its 17 bytes (22). Any other text (upper-case hex, other
 * shapes, the sim's short ids, grants' ids) has no compact form and stays as it is. One text has one
 * form, so a redelivered upload meets its own member.
 *
 * <p>Base 85, not base64: three form_ids of 20 characters keep a user's pool listpack within 96
 * bytes, jemalloc's size class below 112 (BENCHMARKS.md §7). The alphabet is printable ASCII without
 * space, {@code : , " ' \ ` { } |}: no {@code :}, which tells a compact member ({@code f<compact>})
 * from a plain one ({@code f:<text>}); no space, which separates the fields of a ledger entry holding
 * the member; one byte per character in UTF-8, so Jedis' String API carries it unchanged.
 */
final class CompactCredentialText {
  static final String ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz!#$%&()*+-./;<=>?@[]^_~";
  private static final int[] DIGIT = new int[128];
  private static final HexFormat HEX = HexFormat.of();
  private static final String PREPAY_PREFIX = "wx";
  private static final int FORM_HEX = 32;
  private static final int PREPAY_HEX = 34;
  /** Base-85 lengths of 16 bytes (four 4-byte groups of 5 characters) and 17 (and one byte in 2). */
  private static final int FORM_COMPACT = 20;
  private static final int PREPAY_COMPACT = 22;

  static {
    java.util.Arrays.fill(DIGIT, -1);
    for (int i = 0; i < ALPHABET.length(); i++) DIGIT[ALPHABET.charAt(i)] = i;
  }

  private CompactCredentialText() {}

  /** The compact form of {@code text}, or null when it has none (the text is stored as it is). */
  static String encode(String text) {
    if (text.length() == FORM_HEX && lowerHex(text, 0)) return base85(HEX.parseHex(text));
    if (text.length() == PREPAY_PREFIX.length() + PREPAY_HEX && text.startsWith(PREPAY_PREFIX) && lowerHex(text, PREPAY_PREFIX.length())) {
      return base85(HEX.parseHex(text, PREPAY_PREFIX.length(), text.length()));
    }
    return null;
  }

  /** The exact text that {@link #encode} turned into {@code compact}. */
  static String decode(String compact) {
    return switch (compact.length()) {
      case FORM_COMPACT -> HEX.formatHex(bytes(compact, 16));
      case PREPAY_COMPACT -> PREPAY_PREFIX + HEX.formatHex(bytes(compact, 17));
      default -> throw new IllegalArgumentException("not a compact credential: " + compact.length() + " characters");
    };
  }

  private static String base85(byte[] bytes) {
    StringBuilder out = new StringBuilder(bytes.length / 4 * 5 + 2);
    int i = 0;
    for (; i + 4 <= bytes.length; i += 4) {
      long v = ((bytes[i] & 0xffL) << 24) | ((bytes[i + 1] & 0xff) << 16) | ((bytes[i + 2] & 0xff) << 8) | (bytes[i + 3] & 0xff);
      digits(out, v, 5);
    }
    if (i < bytes.length) digits(out, bytes[i] & 0xff, 2); // one trailing byte (a prepay_id's 17th)
    return out.toString();
  }

  private static void digits(StringBuilder out, long v, int n) {
    char[] d = new char[n];
    for (int k = n - 1; k >= 0; k--) {
      d[k] = ALPHABET.charAt((int) (v % 85));
      v /= 85;
    }
    out.append(d);
  }

  private static byte[] bytes(String compact, int size) {
    byte[] out = new byte[size];
    int pos = 0;
    int i = 0;
    for (; pos + 4 <= size; pos += 4, i += 5) {
      long v = value(compact, i, 5);
      if (v > 0xffffffffL) throw new IllegalArgumentException("not a compact credential");
      out[pos] = (byte) (v >>> 24);
      out[pos + 1] = (byte) (v >>> 16);
      out[pos + 2] = (byte) (v >>> 8);
      out[pos + 3] = (byte) v;
    }
    if (pos < size) {
      long v = value(compact, i, 2);
      if (v > 0xff) throw new IllegalArgumentException("not a compact credential");
      out[pos] = (byte) v;
    }
    return out;
  }

  private static long value(String s, int from, int n) {
    long v = 0;
    for (int k = from; k < from + n; k++) {
      char c = s.charAt(k);
      int d = c < 128 ? DIGIT[c] : -1;
      if (d < 0) throw new IllegalArgumentException("not a compact credential");
      v = v * 85 + d;
    }
    return v;
  }

  private static boolean lowerHex(String text, int from) {
    for (int i = from; i < text.length(); i++) {
      char c = text.charAt(i);
      if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) return false;
    }
    return true;
  }
}
