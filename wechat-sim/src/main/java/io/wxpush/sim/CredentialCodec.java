package io.wxpush.sim;

/**
 * Writes and reads the text of a minted form_id or prepay_id. The text names the minting user
 * and the credential's slot in that user's table, so the sim keeps no map from credential
 * text to state (a million users' credentials fit in a few bytes each). A generation tag, new
 * on every reset, keeps credentials from before a reset from matching anything after it.
 */
final class CredentialCodec {
  static final String FORM_PREFIX = "simf";
  static final String PREPAY_PREFIX = "wx";

  /** A parsed credential: whose it is and which slot of that user's table. */
  record Parsed(boolean prepay, int userId, int slot) {}

  private CredentialCodec() {}

  static String format(boolean prepay, String generation, int userId, int slot) {
    return (prepay ? PREPAY_PREFIX : FORM_PREFIX) + generation + "_" + Integer.toString(userId, 36) + "_" + Integer.toString(slot, 36);
  }

  /** Parses a credential of this generation, or returns {@code null} for anything else. */
  static Parsed parse(String text, String generation) {
    if (text == null) return null;
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
}
