package io.wxpush.credentials;

import java.util.Base64;
import java.util.HexFormat;

/**
 * Writes WeChat-shaped credential text compactly for a pool member, and reads it back exactly:
 * a form_id of 32 lowercase hex characters as the base64url of its 16 bytes (22 characters), a
 * prepay_id {@code wx} + 34 lowercase hex characters as the base64url of its 17 bytes (23). Any
 * other text (upper-case hex, other shapes, the sim's short ids, grants' ids) has no compact form
 * and stays as it is. One text has one form, so a redelivered upload meets its own member.
 *
 * <p>The compact text is ASCII from base64url's alphabet ({@code A-Z a-z 0-9 - _}): no {@code :},
 * which tells a compact member ({@code f<compact>}) from a plain one ({@code f:<text>}), and no
 * space, which separates the fields of a ledger entry holding the member; Jedis' UTF-8 strings
 * carry it unchanged.
 */
final class CompactCredentialText {
  private static final HexFormat HEX = HexFormat.of();
  private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder DECODER = Base64.getUrlDecoder();
  private static final String PREPAY_PREFIX = "wx";
  private static final int FORM_HEX = 32;
  private static final int PREPAY_HEX = 34;
  /** base64url lengths of 16 and 17 bytes. */
  private static final int FORM_COMPACT = 22;
  private static final int PREPAY_COMPACT = 23;

  private CompactCredentialText() {}

  /** The compact form of {@code text}, or null when it has none (the text is stored as it is). */
  static String encode(String text) {
    if (text.length() == FORM_HEX && lowerHex(text, 0)) return ENCODER.encodeToString(HEX.parseHex(text));
    if (text.length() == PREPAY_PREFIX.length() + PREPAY_HEX && text.startsWith(PREPAY_PREFIX) && lowerHex(text, PREPAY_PREFIX.length())) {
      return ENCODER.encodeToString(HEX.parseHex(text, PREPAY_PREFIX.length(), text.length()));
    }
    return null;
  }

  /** The exact text that {@link #encode} turned into {@code compact}. */
  static String decode(String compact) {
    byte[] bytes = DECODER.decode(compact);
    return switch (compact.length()) {
      case FORM_COMPACT -> HEX.formatHex(bytes);
      case PREPAY_COMPACT -> PREPAY_PREFIX + HEX.formatHex(bytes);
      default -> throw new IllegalArgumentException("not a compact credential: " + compact.length() + " characters");
    };
  }

  private static boolean lowerHex(String text, int from) {
    for (int i = from; i < text.length(); i++) {
      char c = text.charAt(i);
      if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) return false;
    }
    return true;
  }
}
