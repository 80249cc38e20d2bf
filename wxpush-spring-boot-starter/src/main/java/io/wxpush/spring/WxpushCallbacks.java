package io.wxpush.spring;

import io.wxpush.client.CallbackVerifier;
import java.util.List;
import java.util.Map;

/**
 * Verifies a callback wxpush POSTs to a {@code callbackUrl} of the service: signed with
 * {@code wxpush.api-key} or one of the apps' keys, and fresh ({@code wxpush.callback-tolerance}).
 * Give it the body exactly as received:
 *
 * <pre>{@code
 * @PostMapping("/wxpush/callbacks")
 * ResponseEntity<Void> done(@RequestBody byte[] body, @RequestHeader HttpHeaders headers) {
 *   if (!callbacks.isValid(body, headers)) return ResponseEntity.status(401).build();
 *   ... // act once per webhook-id: delivery is at least once
 *   return ResponseEntity.noContent().build();
 * }
 * }</pre>
 */
public final class WxpushCallbacks {
  private final List<CallbackVerifier> verifiers;

  WxpushCallbacks(List<CallbackVerifier> verifiers) {
    this.verifiers = List.copyOf(verifiers);
  }

  /** True when {@code body} and {@code headers} (names in any case) are a fresh callback signed with one of the service's keys. */
  public boolean isValid(byte[] body, Map<String, List<String>> headers) {
    for (CallbackVerifier v : verifiers) {
      try {
        v.verify(body, headers);
        return true;
      } catch (CallbackVerifier.InvalidCallbackException e) {
        // another key may have signed it
      }
    }
    return false;
  }

  /** Like {@link #isValid} but throws, with the reason of the last key tried, when none passes. */
  public void verify(byte[] body, Map<String, List<String>> headers) throws CallbackVerifier.InvalidCallbackException {
    if (verifiers.isEmpty()) throw new IllegalStateException("no wxpush.api-key to verify callbacks with");
    CallbackVerifier.InvalidCallbackException last = null;
    for (CallbackVerifier v : verifiers) {
      try {
        v.verify(body, headers);
        return;
      } catch (CallbackVerifier.InvalidCallbackException e) {
        last = e;
      }
    }
    throw last;
  }
}
