package io.wxpush.worker.sender;

import io.wxpush.credentials.CredentialKind;
import io.wxpush.credentials.PoolMember;
import java.util.Optional;

/**
 * One (push, user) entry of the send ledger, as stored in the user's ledger hash: where the send
 * stands ({@code claimed → attempting(owner, lease) → sent | failed | unknown}, or no credential),
 * whether an earlier attempt may have been delivered, and the credential it spends.
 *
 * @param inDoubt an attempt's answer was lost (or its owner died mid-call): the message may have
 *     been delivered; once set it stays set
 * @param attempts WeChat calls started for this (push, user), over every delivery and credential
 * @param ownerOrReason the owner id of an attempt in flight; the reason of a final entry; "-" for none
 * @param leaseUntilMs Redis time until which the attempt's owner holds it (0 unless attempting)
 * @param keepUntilMs Redis time after which the entry may be pruned
 * @param credential the pool member it spends; empty when it has none (none found, or given back)
 */
public record LedgerEntry(State state, boolean inDoubt, int attempts, String ownerOrReason, long leaseUntilMs, long keepUntilMs,
    Optional<PoolMember> credential) {

  /** Where the send stands; {@link #code()} is its one-letter form in Redis. */
  public enum State {
    CLAIMED('c'), ATTEMPTING('a'), SENT('s'), FAILED('f'), UNKNOWN('u'), NO_CREDENTIAL('n');

    private final char code;

    State(char code) {
      this.code = code;
    }

    public char code() {
      return code;
    }

    public boolean isFinal() {
      return this != CLAIMED && this != ATTEMPTING;
    }

    static State of(char code) {
      for (State s : values()) if (s.code == code) return s;
      throw new IllegalArgumentException("unknown ledger state " + code);
    }
  }

  /** Parses the stored form {@code state doubt attempts owner-or-reason leaseUntil keepUntil score member}. */
  public static LedgerEntry parse(String stored) {
    String[] f = stored.split(" ", 8);
    if (f.length != 8) throw new IllegalArgumentException("malformed ledger entry");
    Optional<PoolMember> credential = f[7].equals("-") ? Optional.empty() : Optional.of(new PoolMember(f[7], Long.parseLong(f[6])));
    return new LedgerEntry(State.of(f[0].charAt(0)), f[1].equals("1"), Integer.parseInt(f[2]), f[3], Long.parseLong(f[4]),
        Long.parseLong(f[5]), credential);
  }

  /** The credential kind, for entries that hold one. */
  public Optional<CredentialKind> kind() {
    return credential.map(PoolMember::kind);
  }

  /** The reason of a final entry, if one was recorded. */
  public Optional<String> reason() {
    return state.isFinal() && !ownerOrReason.equals("-") ? Optional.of(ownerOrReason) : Optional.empty();
  }

  /** The owner of the attempt in flight, if attempting. */
  public Optional<String> owner() {
    return state == State.ATTEMPTING ? Optional.of(ownerOrReason) : Optional.empty();
  }
}
