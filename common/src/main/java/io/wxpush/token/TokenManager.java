package io.wxpush.token;

import io.micrometer.core.instrument.MeterRegistry;
import io.wxpush.wechat.WeChatApp;
import io.wxpush.metrics.WxpushMeter;
import io.wxpush.redis.RedisKeys;
import io.wxpush.redis.RedisScript;
import io.wxpush.wechat.AccessToken;
import io.wxpush.wechat.WeChatClient;
import io.wxpush.wechat.WeChatException;
import io.wxpush.wechat.WeChatReply;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.params.SetParams;

/**
 * One WeChat access token per app for the whole fleet. The token lives in Redis (TTL = its
 * lifetime less 200 s); one worker at a time refreshes it, holding a Redis lock ({@code SET NX
 * PX}, released by compare-and-delete). A token WeChat refused is dropped only if it is still
 * the stored one; the holder of the lock reads Redis again before it fetches, so a worker that
 * took the lock just after another refreshed uses that token. Each process keeps the token a few seconds in memory, so a send costs no
 * Redis read, and the threads of one process that need a token at the same moment share one
 * look-up (one Redis poll while another worker refreshes, not one per thread). The lock's lease
 * outlasts a refresh (a normal fetch plus a forced one, each up to the WeChat time-out).
 * Thread-safe; {@link #token} blocks while a refresh runs.
 */
public final class TokenManager {
  private static final Logger log = LoggerFactory.getLogger(TokenManager.class);
  private static final RedisScript COMPARE_AND_DELETE = RedisScript.load(TokenManager.class, "compare-and-delete.lua");
  private static final Duration EARLY_EXPIRY = Duration.ofSeconds(200);
  /** A stored token is never kept for less than this (unless it expires sooner): no refresh loop on short-lived tokens. */
  private static final Duration MIN_STORED = Duration.ofSeconds(60);
  private static final Duration LOCAL_REUSE = Duration.ofSeconds(5);
  private static final Duration POLL = Duration.ofMillis(50);

  /** How a token is fetched: {@code stable} ({@code cgi-bin/stable_token}, default) or {@code legacy} ({@code cgi-bin/token}). */
  public enum Endpoint { STABLE, LEGACY }

  private record Cached(String token, long fetchedAt) {}

  private final UnifiedJedis redis;
  private final RedisKeys keys;
  private final WeChatClient weChat;
  private final Map<String, WeChatApp> apps;
  private final Endpoint endpoint;
  private final Clock clock;
  private final MeterRegistry registry;
  private final Duration lockLease;
  private final Duration waitForRefresh;
  private final Map<String, Cached> local = new ConcurrentHashMap<>();
  private final Map<String, String> lastRefused = new ConcurrentHashMap<>();
  /** The one look-up per app in flight in this process; other threads wait for its result. */
  private final Map<String, CompletableFuture<String>> lookups = new ConcurrentHashMap<>();

  /** @param weChatTimeout the time-out of one WeChat call ({@code WECHAT_TIMEOUT}); the refresh lock outlasts two */
  public TokenManager(UnifiedJedis redis, RedisKeys keys, WeChatClient weChat, Map<String, WeChatApp> apps, Endpoint endpoint,
      Duration weChatTimeout, Clock clock, MeterRegistry registry) {
    this.lockLease = weChatTimeout.multipliedBy(2).plusSeconds(5);
    this.waitForRefresh = lockLease.plusSeconds(5);
    this.redis = redis;
    this.keys = keys;
    this.weChat = weChat;
    this.apps = Map.copyOf(apps);
    this.endpoint = endpoint;
    this.clock = clock;
    this.registry = registry;
    apps.keySet().forEach(appId -> WxpushMeter.TOKEN_REFRESHES.counter(registry, appId)); // shown at 0 until the first refresh
  }

  private String key(String appId) {
    return keys.token(appId);
  }

  /** The app's current token: from memory, else Redis, else a refresh (by this worker or another). */
  public String token(String appId) throws WeChatException {
    Cached cached = local.get(appId);
    if (cached != null && clock.millis() - cached.fetchedAt() < LOCAL_REUSE.toMillis()) return cached.token();
    CompletableFuture<String> mine = new CompletableFuture<>();
    CompletableFuture<String> inFlight = lookups.putIfAbsent(appId, mine);
    if (inFlight != null) {
      String shared = await(inFlight);
      // a look-up that began before this thread's token was refused may hand it back: look again
      if (!shared.equals(lastRefused.get(appId))) return shared;
      return token(appId);
    }
    try {
      String token = lookUp(appId);
      mine.complete(token);
      return token;
    } catch (WeChatException | RuntimeException e) {
      mine.completeExceptionally(e);
      throw e;
    } finally {
      lookups.remove(appId, mine);
    }
  }

  private String await(CompletableFuture<String> lookup) throws WeChatException {
    try {
      return lookup.get(waitForRefresh.toMillis() + 1_000, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof WeChatException w) throw w;
      if (e.getCause() instanceof RuntimeException r) throw r;
      throw new IllegalStateException(e.getCause());
    } catch (TimeoutException e) {
      throw new WeChatException(WeChatReply.transport("token look-up by another thread did not finish", false));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for a token", e);
    }
  }

  /** From Redis, else a refresh under the fleet-wide lock, else wait for the worker that holds it. */
  private String lookUp(String appId) throws WeChatException {
    long deadline = clock.millis() + waitForRefresh.toMillis();
    while (true) {
      String stored = redis.get(key(appId));
      if (stored != null && !stored.equals(lastRefused.get(appId))) {
        local.put(appId, new Cached(stored, clock.millis()));
        return stored;
      }
      String lock = keys.tokenLock(appId);
      String nonce = UUID.randomUUID().toString();
      if ("OK".equals(redis.set(lock, nonce, SetParams.setParams().nx().px(lockLease.toMillis())))) {
        try {
          // another worker may have refreshed between the read above and this lock: a second fetch
          // would end its token (legacy cgi-bin/token), so look once more under the lock
          String now = redis.get(key(appId));
          if (now != null && !now.equals(lastRefused.get(appId))) {
            local.put(appId, new Cached(now, clock.millis()));
            return now;
          }
          return refresh(appId);
        } finally {
          COMPARE_AND_DELETE.eval(redis, List.of(lock), List.of(nonce));
        }
      }
      if (clock.millis() > deadline) {
        throw new WeChatException(WeChatReply.transport("token refresh by another worker did not finish", false));
      }
      pause();
    }
  }

  /**
   * WeChat refused {@code failedToken} (40001/40014/42001): forget it here, and drop it from
   * Redis only if it is still the stored one, so the next {@link #token} call refreshes.
   */
  public void invalidate(String appId, String failedToken) {
    local.remove(appId);
    lastRefused.put(appId, failedToken);
    COMPARE_AND_DELETE.eval(redis, List.of(key(appId)), List.of(failedToken));
  }

  private String refresh(String appId) throws WeChatException {
    WeChatApp app = apps.get(appId);
    if (app == null) throw new WeChatException(new WeChatReply(200, 40013, "app not configured here", false));
    AccessToken token = fetch(app, false);
    if (token.value().equals(lastRefused.get(appId)) || remaining(token) < EARLY_EXPIRY.toMillis()) {
      // Normal mode handed back the token WeChat just refused, or one about to expire: force a new one.
      token = fetch(app, true);
    }
    long remaining = remaining(token);
    long ttl = remaining - EARLY_EXPIRY.toMillis();
    // a token WeChat gives with little time left is kept for half of it, not refreshed every second
    if (ttl < MIN_STORED.toMillis()) ttl = Math.max(1_000, Math.min(remaining / 2, MIN_STORED.toMillis()));
    redis.set(key(appId), token.value(), SetParams.setParams().px(ttl));
    lastRefused.remove(appId);
    local.put(appId, new Cached(token.value(), clock.millis()));
    WxpushMeter.TOKEN_REFRESHES.counter(registry, appId).increment();
    log.info("event=token_refreshed app={} ttl_ms={}", appId, ttl);
    return token.value();
  }

  private long remaining(AccessToken token) {
    return token.expiresAtMs() - clock.millis();
  }

  private AccessToken fetch(WeChatApp app, boolean force) throws WeChatException {
    return endpoint == Endpoint.STABLE ? weChat.stableToken(app, force) : weChat.legacyToken(app);
  }

  private static void pause() {
    try {
      Thread.sleep(POLL.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for a token", e);
    }
  }
}
