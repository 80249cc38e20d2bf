package io.wxpush.worker.sender;

import java.util.Map;
import java.util.Optional;
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

  private static final String PROBING = "";
  private static final String OPEN = "\u0000open";

  /** requestId → PROBING, OPEN, or the reason the push was refused. */
  private final Map<String, String> states = new ConcurrentHashMap<>();

  /** Waits until this task may send; the refusal reason when the push was refused as a whole. */
  Optional<String> enter(String requestId) throws InterruptedException {
    while (true) {
      String state = states.get(requestId);
      if (OPEN.equals(state)) return Optional.empty();
      if (state != null && !state.isEmpty()) return Optional.of(state);
      if (state == null) {
        if (states.size() > MAX_TRACKED) states.clear();
        if (states.putIfAbsent(requestId, PROBING) == null) return Optional.empty(); // this task probes
      }
      // Poll with sleep, never a monitor wait: Thread.sleep always unmounts a virtual thread,
      // while Object.wait could pin it to one of the few carrier threads and starve the rest.
      Thread.sleep(POLL_MS);
    }
  }

  /** The request is good (WeChat judged something other than the request itself). */
  void open(String requestId) {
    states.put(requestId, OPEN);
  }

  /** The request is refused as a whole, for {@code reason} (an errcode). */
  void shut(String requestId, String reason) {
    states.put(requestId, reason);
  }

  /** The probe proved nothing (no credential, a transient error): let another task probe. */
  void inconclusive(String requestId) {
    states.remove(requestId, PROBING);
  }
}
