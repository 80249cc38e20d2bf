package io.wxpush.sim;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Every simulated user, by app and openId. A user exists once anything was minted for them;
 * a send to anyone else answers 40003. Thread-safe and lock-free on lookup.
 */
final class UserDirectory {
  private final Map<String, Map<String, SimUser>> byApp = new ConcurrentHashMap<>();
  private final AtomicInteger nextId = new AtomicInteger();
  private volatile String generation = newGeneration();

  /** The user, or {@code null} when nothing was ever minted for them. */
  SimUser find(String appId, String openId) {
    Map<String, SimUser> users = byApp.get(appId);
    return users == null || openId == null ? null : users.get(openId);
  }

  SimUser getOrCreate(String appId, String openId) {
    Map<String, SimUser> users = byApp.computeIfAbsent(appId, k -> new ConcurrentHashMap<>());
    SimUser user = users.get(openId);
    return user != null ? user : users.computeIfAbsent(openId, k -> new SimUser(appId, openId, nextId.getAndIncrement()));
  }

  /** The tag that credentials minted since the last reset carry. */
  String generation() {
    return generation;
  }

  Collection<SimUser> users(String appId) {
    Map<String, SimUser> users = byApp.get(appId);
    return users == null ? List.of() : users.values();
  }

  void clear() {
    generation = newGeneration();
    byApp.clear();
  }

  private static String newGeneration() {
    return Integer.toString(ThreadLocalRandom.current().nextInt(36 * 36 * 36, 36 * 36 * 36 * 36), 36);
  }
}
