package io.wxpush.credentials;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * One entry of a user's pool: one send's worth of a credential, as stored in Redis.
 *
 * @param member the entry id in the pool ({@code f:value}, {@code p:value:n}, {@code s:value}, or
 *     {@code L<tag>}: a long-term template's standing permission, {@link #standing}); a form_id or
 *     prepay_id in WeChat's shape (32 lowercase hex; {@code wx} + 34) is {@code f<compact>} or
 *     {@code p<compact>:n}, its text in base 85 ({@link CompactCredentialText}), 13 to 14 bytes
 *     shorter; the first character is the kind either way
 * @param score the entry's score: expiry (ms) for form_id/prepay_id, collection time for grants
 */
public record PoolMember(String member, long score) {

  public CredentialKind kind() {
    return kindOf(member);
  }

  /** The kind of a pool member by its prefix. */
  public static CredentialKind kindOf(String member) {
    return switch (member.charAt(0)) {
      case 'f' -> CredentialKind.FORM_ID;
      case 'p' -> CredentialKind.PREPAY_ID;
      case 's', 'L' -> CredentialKind.SUBSCRIPTION;
      default -> throw new IllegalStateException("unknown pool member kind");
    };
  }

  /** The credential value to hand WeChat, exactly as uploaded (a prepay_id's use number stripped; empty for a standing permission). */
  public String value() {
    if (member.charAt(0) == 'L') return "";
    boolean compact = member.charAt(1) != ':';
    int from = compact ? 1 : 2;
    String text = kind() == CredentialKind.PREPAY_ID ? member.substring(from, member.lastIndexOf(':')) : member.substring(from);
    return compact ? CompactCredentialText.decode(text) : text;
  }

  /** The pool members that one credential becomes: a prepay_id is three entries, one per send. */
  static String[] members(Credential c) {
    return switch (c.kind()) {
      case FORM_ID -> new String[] {text('f', c.value())};
      case PREPAY_ID -> {
        String base = text('p', c.value());
        yield new String[] {base + ":1", base + ":2", base + ":3"};
      }
      case SUBSCRIPTION -> new String[] {"s:" + c.value()};
    };
  }

  /** The kind's letter and the credential's text: compact when it has WeChat's shape, else after a {@code :}. */
  private static String text(char kind, String value) {
    String compact = CompactCredentialText.encode(value);
    return compact != null ? kind + compact : kind + ":" + value;
  }

  /** Characters of a template id's digest that name its standing permission: 36 bits, no clash among an app's templates in practice. */
  private static final int TAG_LENGTH = 6;

  /**
   * The member that is a user's standing permission for a long-term template: {@code L} and six
   * characters of the id's SHA-1 (base64url), so it costs a few bytes in the user's form_id/prepay_id
   * pool, where it sits at score 0 (ledger-lib.lua).
   */
  public static String standing(String templateId) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-1").digest(templateId.getBytes(StandardCharsets.UTF_8));
      return "L" + Base64.getUrlEncoder().withoutPadding().encodeToString(digest).substring(0, TAG_LENGTH);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-1", e);
    }
  }
}
