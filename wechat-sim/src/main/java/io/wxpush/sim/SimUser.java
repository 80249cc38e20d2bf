package io.wxpush.sim;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One simulated user of one app: the credentials minted for them (form_ids, prepay_ids,
 * subscription grants) and the messages they received. Spending a credential and recording
 * the message happen under this user's own lock, so sends to different users never contend.
 */
final class SimUser {
  static final long CREDENTIAL_LIFETIME_MILLIS = Duration.ofDays(7).toMillis();
  private static final int PREPAY_FLAG = 0x80;
  private static final int USES_MASK = 0x0F;

  final String appId;
  final String openId;
  final int id;

  // Credential table, one slot per minted form_id/prepay_id: when minted, and uses left + kind.
  private long[] mintedAt = new long[2];
  private byte[] state = new byte[2];
  private int slots;
  private Map<String, Integer> grants;
  private InboxEntry[] inbox;
  private int inboxSize;

  SimUser(String appId, String openId, int id) {
    this.appId = appId;
    this.openId = openId;
    this.id = id;
  }

  /** Mints {@code count} credentials (1 use each, or 3 for prepay_ids); returns the first slot. */
  synchronized int mint(boolean prepay, int count, long now) {
    int first = slots;
    int needed = slots + count;
    if (needed > mintedAt.length) {
      int capacity = Math.max(needed, mintedAt.length * 2);
      mintedAt = Arrays.copyOf(mintedAt, capacity);
      state = Arrays.copyOf(state, capacity);
    }
    byte initial = (byte) (prepay ? PREPAY_FLAG | 3 : 1);
    for (int i = first; i < needed; i++) {
      mintedAt[i] = now;
      state[i] = initial;
    }
    slots = needed;
    return first;
  }

  /** Adds {@code count} accepts of a one-time subscription for {@code templateId}. */
  synchronized void grant(String templateId, int count) {
    if (grants == null) grants = new HashMap<>(4);
    grants.merge(templateId, count, Integer::sum);
  }

  /**
   * Spends one use of a form_id/prepay_id and records {@code message} if it is valid: 0 when
   * delivered, 41028 when the credential is not this user's, unknown or expired, 41029 when
   * used up. Nothing changes unless the answer is 0.
   */
  synchronized int deliverWithCredential(CredentialCodec.Parsed credential, InboxEntry message, long now) {
    if (credential == null || credential.userId() != id || credential.slot() >= slots) return 41028;
    int slot = credential.slot();
    int s = state[slot] & 0xFF;
    if (((s & PREPAY_FLAG) != 0) != credential.prepay()) return 41028;
    if (now - mintedAt[slot] >= CREDENTIAL_LIFETIME_MILLIS || now < mintedAt[slot]) return 41028;
    if ((s & USES_MASK) == 0) return 41029;
    state[slot] = (byte) ((s & PREPAY_FLAG) | ((s & USES_MASK) - 1));
    append(message);
    return 0;
  }

  /**
   * Spends one subscription accept for the message's template and records it: 0, or 43101 when none
   * is left. A long-term template's accept is not spent: it stands until {@link #revoke}.
   */
  synchronized int deliverWithGrant(InboxEntry message, boolean longTerm) {
    Integer left = grants == null ? null : grants.get(message.templateId());
    if (left == null || left <= 0) return 43101;
    if (longTerm) {
      append(message);
      return 0;
    }
    if (left == 1) grants.remove(message.templateId());
    else grants.put(message.templateId(), left - 1);
    append(message);
    return 0;
  }

  /** The user turned the template off in settings: no accept of it is left. */
  synchronized int revoke(String templateId) {
    Integer left = grants == null ? null : grants.remove(templateId);
    return left == null ? 0 : left;
  }

  /** The delivered message with {@code msgid}, if any. */
  synchronized Optional<InboxEntry> message(long msgid) {
    for (int i = 0; i < inboxSize; i++) if (inbox[i].msgid() == msgid) return Optional.of(inbox[i]);
    return Optional.empty();
  }

  /** Subscription accepts left for {@code templateId}. */
  synchronized int grantsLeft(String templateId) {
    Integer left = grants == null ? null : grants.get(templateId);
    return left == null ? 0 : left;
  }

  synchronized List<InboxEntry> inbox() {
    return inbox == null ? List.of() : new ArrayList<>(Arrays.asList(inbox).subList(0, inboxSize));
  }

  synchronized int inboxSize() {
    return inboxSize;
  }

  private void append(InboxEntry message) {
    if (inbox == null) inbox = new InboxEntry[1];
    else if (inboxSize == inbox.length) inbox = Arrays.copyOf(inbox, inbox.length * 2);
    inbox[inboxSize++] = message;
  }
}
