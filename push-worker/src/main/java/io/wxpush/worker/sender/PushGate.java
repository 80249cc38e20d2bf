package io.wxpush.worker.sender;

import io.wxpush.push.PushId;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Keeps a new push from spending many credentials on a request WeChat will refuse (unknown
 * template, bad page or data): until one of its sends in this process has had an answer that
 * proves the request is well-formed, only one task of that push probes at a time. A probe that
 * learns nothing (a token, quota or transient answer) hands the probe on at once and keeps
 * retrying, so a refused push spends at most a handful of credentials per process. After a good
 * answer the gate stays open; after a request-level refusal it stays shut. Thread-safe.
 */
final class PushGate {
  private static final int MAX_TRACKED = 10_000;
  private static final long POLL_MS = 20;

  /** Where a push stands in this process. */
  private sealed interface Gate {}

  /** One task is probing; the others wait. */
  private record Probing() implements Gate {}

  /** WeChat judged something other than the request itself: everyone may send. */
  private record Open() implements Gate {}

  /** WeChat refused the request as a whole, for {@code reason} (an errcode). */
  private record Shut(String reason) implements Gate {}

  private static final Gate PROBING = new Probing();
  private static final Gate OPEN = new Open();

  /** What a task may do after {@link #enter}. */
  sealed interface Admission {}

  /** Send. */
  record Go() implements Admission {}

  /** The push was refused as a whole, for {@code reason} (an errcode): do not spend a credential. */
  record Refused(String reason) implements Admission {}

  /** Another task's probe did not end before this task's deadline. */
  record TimedOut() implements Admission {}

  private static final Admission GO = new Go();

  private final Map<PushId, Gate> states = new ConcurrentHashMap<>();

  /**
   * Waits until this task may send, or until {@code giveUpNanos} ({@link System#nanoTime()})
   * while another task of the push probes.
   */
  Admission enter(PushId requestId, long giveUpNanos) throws InterruptedException {
    while (true) {
      Gate state = states.get(requestId);
      switch (state) {
        case Open o -> {
          return GO;
        }
        case Shut s -> {
          return new Refused(s.reason());
        }
        case null -> {
          if (states.size() > MAX_TRACKED) states.clear();
          if (states.putIfAbsent(requestId, PROBING) == null) return GO; // this task probes
        }
        case Probing p -> {
          if (System.nanoTime() - giveUpNanos > 0) return new TimedOut();
        }
      }
      // Poll with sleep, never a monitor wait: Thread.sleep always unmounts a virtual thread,
      // while Object.wait could pin it to one of the few carrier threads and starve the rest.
      Thread.sleep(POLL_MS);
    }
  }

  /** The request is good (WeChat judged something other than the request itself). */
  void open(PushId requestId) {
    states.put(requestId, OPEN);
  }

  /** The request is refused as a whole, for {@code reason} (an errcode). */
  void shut(PushId requestId, String reason) {
    states.put(requestId, new Shut(reason));
  }

  /** The probe proved nothing (no credential, a transient error): let another task probe. */
  void inconclusive(PushId requestId) {
    states.remove(requestId, PROBING);
  }
}
