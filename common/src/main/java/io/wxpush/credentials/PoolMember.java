package io.wxpush.credentials;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * One entry of a user's pool: one send's worth of a credential, as stored in Redis.
 *
 * @param member the entry id in the pool ({@code f:value}, {@code p:value:n}, {@code s:value}, or
 *     {@code L<tag>}: a long-term template's standing permission, {@link #standing})
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

  /** The credential value to hand WeChat (a prepay_id's use number stripped; empty for a standing permission). */
  public String value() {
    if (member.charAt(0) == 'L') return "";
    return kind() == CredentialKind.PREPAY_ID
        ? member.substring(2, member.lastIndexOf(':'))
        : member.substring(2);
  }

  /** The pool members that one credential becomes: a prepay_id is three entries, one per send. */
  static String[] members(Credential c) {
    return switch (c.kind()) {
      case FORM_ID -> new String[] {"f:" + c.value()};
      case PREPAY_ID -> new String[] {"p:" + c.value() + ":1", "p:" + c.value() + ":2", "p:" + c.value() + ":3"};
      case SUBSCRIPTION -> new String[] {"s:" + c.value()};
    };
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
