package io.wxpush.sim;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters a test asserts on: deliveries, errcodes answered by the send endpoints, token and
 * HTTP-fault counts, and deliveries whose answer was lost. Thread-safe.
 */
final class SimStats {
  private final LongAdder delivered = new LongAdder();
  private final LongAdder tokenCalls = new LongAdder();
  private final LongAdder answersLost = new LongAdder();
  private final LongAdder answeredOk = new LongAdder(); // errcode 0, the hot path, kept out of the map
  private final Map<Integer, LongAdder> errcodes = new ConcurrentHashMap<>();
  private final Map<Integer, LongAdder> httpFaults = new ConcurrentHashMap<>();

  void answered(int errcode) {
    if (errcode == 0) answeredOk.increment();
    else errcodes.computeIfAbsent(errcode, k -> new LongAdder()).increment();
  }

  void recordDelivery() {
    delivered.increment();
  }

  /** A delivered send whose answer was held back, replaced by a 502, or cut off by a reset. */
  void answerLost() {
    answersLost.increment();
  }

  long answersLost() {
    return answersLost.sum();
  }

  void httpFault(int status) {
    httpFaults.computeIfAbsent(status, k -> new LongAdder()).increment();
  }

  void tokenCall() {
    tokenCalls.increment();
  }

  long delivered() {
    return delivered.sum();
  }

  long tokenCalls() {
    return tokenCalls.sum();
  }

  /** errcode → count, sorted, zero counts omitted. */
  Map<Integer, Long> errcodes() {
    Map<Integer, Long> out = sums(errcodes);
    long ok = answeredOk.sum();
    if (ok > 0) out.put(0, ok);
    return out;
  }

  /** HTTP status → count of injected 5xx answers. */
  Map<Integer, Long> httpFaults() {
    return sums(httpFaults);
  }

  void clear() {
    delivered.reset();
    tokenCalls.reset();
    answersLost.reset();
    answeredOk.reset();
    errcodes.clear();
    httpFaults.clear();
  }

  private static Map<Integer, Long> sums(Map<Integer, LongAdder> adders) {
    Map<Integer, Long> out = new TreeMap<>();
    adders.forEach((k, v) -> {
      long sum = v.sum();
      if (sum > 0) out.put(k, sum);
    });
    return out;
  }
}
