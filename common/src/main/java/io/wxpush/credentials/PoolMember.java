package io.wxpush.credentials;

/**
 * One entry of a user's pool: one send's worth of a credential, as stored in Redis.
 *
 * @param member the entry id in the pool ({@code f:value}, {@code p:value:n}, {@code s:value})
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
      case 's' -> CredentialKind.SUBSCRIPTION;
      default -> throw new IllegalStateException("unknown pool member kind");
    };
  }

  /** The credential value to hand WeChat (a prepay_id's use number stripped). */
  public String value() {
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
}
