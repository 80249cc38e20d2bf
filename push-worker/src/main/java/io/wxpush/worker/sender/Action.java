package io.wxpush.worker.sender;

import java.time.Duration;
import java.time.Instant;

/**
 * What the sender does next with one (push, user), as {@link SendPolicy} decides it — at the
 * task's admission, from the ledger's answer to an attempt mark, and from WeChat's answer;
 * {@link TaskRunner} performs it. Each action has exactly one {@link Effect} on the user's
 * ledger entry ({@link EntrySteps} performs it), so no way of ending a task leaves the entry in
 * flight. RELIABILITY.md, "How a task ends", is this list as a table.
 */
sealed interface Action {
  /** What an action does to the (push, user) ledger entry. */
  enum Effect {
    /** The entry ends with its outcome (sent, failed, unknown, no credential), or already had one. */
    FINAL,
    /** The entry stays claimed (an attempt this delivery holds goes back to claimed) for the next try or delivery. */
    CLAIMED,
    /**
     * No (further) send: the credential goes back to its pool and the entry ends {@code failed}
     * (a final entry without credential when nothing was claimed), or {@code unknown} when an
     * earlier attempt may have been delivered.
     */
    GIVEN_BACK
  }

  /** This action's one effect on the entry. */
  Effect effect();

  /** WeChat delivered: {@code sent} (reason null, or {@code 41029} when not proven by our own earlier attempt). */
  record Sent(String reason) implements Action {
    public Effect effect() {
      return Effect.FINAL;
    }
  }

  /**
   * Try the same credential again after backoff step {@code step} (0 = at once).
   *
   * @param refreshToken the access token was refused: drop it and fetch another first
   * @param inDoubt the answer was lost: the entry stays in doubt for good
   */
  record RetrySame(int step, boolean refreshToken, boolean inDoubt) implements Action {
    public Effect effect() {
      return Effect.CLAIMED;
    }
  }

  /** The credential is dead (41028), the send surely not delivered: drop it, claim the user's next (none left: final). */
  record NextCredential(String reason) implements Action {
    public Effect effect() {
      return Effect.CLAIMED;
    }
  }

  /** May have been delivered and must not be repeated: {@code unknown}. */
  record Unknown(String reason) implements Action {
    public Effect effect() {
      return Effect.FINAL;
    }
  }

  /** Final for this user and surely not delivered ({@code failed}): refused, invalid openId, or out of credentials to try. */
  record FailUser(String reason) implements Action {
    public Effect effect() {
      return Effect.FINAL;
    }
  }

  /**
   * The push itself is wrong: fail it fast fleet-wide (and, when {@code templateGone}, mark the
   * subscribe template gone). This user's credential is given back, or {@code unknown} in doubt.
   */
  record FailPush(String reason, boolean inDoubt, boolean templateGone) implements Action {
    public Effect effect() {
      return Effect.GIVEN_BACK;
    }
  }

  /** 45011: pause the app fleet-wide for {@code duration}, wait it out, try the same credential again. */
  record Pause(Duration duration, boolean inDoubt) implements Action {
    public Effect effect() {
      return Effect.CLAIMED;
    }
  }

  /** 45009: pause the app until WeChat's day ends ({@code duration}); the task goes to the DLQ, its credential given back. */
  record QuotaSpent(Duration duration, boolean inDoubt) implements Action {
    public Effect effect() {
      return Effect.GIVEN_BACK;
    }
  }

  /** Retries or deliveries are used up: to the DLQ; the credential given back, or {@code unknown} in doubt. */
  record DeadLetter(String reason, boolean inDoubt) implements Action {
    public Effect effect() {
      return Effect.GIVEN_BACK;
    }
  }

  /**
   * The next try would not finish before the broker's lock on the task runs out: leave the
   * entry claimed (in doubt if the last answer was lost) and let the broker hand the task out
   * again, where it goes on with the same credential. Never on the last delivery (that is a
   * {@link DeadLetter}).
   */
  record HandBack(boolean inDoubt) implements Action {
    public Effect effect() {
      return Effect.CLAIMED;
    }
  }

  /**
   * No send for this task any more, for {@code reason}: {@code notAfter} passed, the push was
   * cancelled ({@link TaskRunner#CANCELLED}) or failed fast (its errcode), this process's gate
   * refuses it, or its horizon passed ({@code push_expired}). The credential given back, or
   * {@code unknown} in doubt.
   */
  record Stop(String reason, boolean inDoubt) implements Action {
    public Effect effect() {
      return Effect.GIVEN_BACK;
    }
  }

  /** Quiet hours: the task waits in the push's held set until {@code until}; its entry (if any) stays claimed for then. */
  record Hold(Instant until) implements Action {
    public Effect effect() {
      return Effect.CLAIMED;
    }
  }

  /** Another delivery's attempt is in flight for {@code leaseLeft}: wait for it, then look again. */
  record Wait(Duration leaseLeft) implements Action {
    public Effect effect() {
      return Effect.CLAIMED;
    }
  }

  /** The entry already has its outcome (a redelivered or duplicated task, or an empty pool): record it. */
  record Known() implements Action {
    public Effect effect() {
      return Effect.FINAL;
    }
  }
}
