package io.wxpush.token;

import io.micrometer.core.instrument.MeterRegistry;
import io.wxpush.config.WeChatApp;
import io.wxpush.metrics.WxpushMeter;
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
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.params.SetParams;

/**
 * One WeChat access token per app for the whole fleet. The token lives in Redis (TTL = its
 * lifetime less 200 s); one worker at a time refreshes it, holding a Redis lock ({@code SET NX
 * PX}, released by compare-and-delete). A token WeChat refused is dropped only if it is still
 * the stored one. Each process keeps the token a few seconds in memory, so a send costs no
 * Redis read. Thread-safe; {@link #token} blocks while a refresh runs.
 */
public final class TokenManager {
  private static final Logger log = LoggerFactory.getLogger(TokenManager.class);
  private static final RedisScript COMPARE_AND_DELETE = RedisScript.load(TokenManager.class, "compare-and-delete.lua");
  private static final Duration EARLY_EXPIRY = Duration.ofSeconds(200);
  private static final Duration LOCAL_REUSE = Duration.ofSeconds(5);
  private static final Duration LOCK_TTL = Duration.ofSeconds(15);
  private static final Duration WAIT_FOR_REFRESH = Duration.ofSeconds(20);

  /** How a token is fetched: {@code stable} ({@code cgi-bin/stable_token}, default) or {@code legacy} ({@code cgi-bin/token}). */
  public enum Endpoint { STABLE, LEGACY }

  private record Cached(String token, long fetchedAt) {}

  private final UnifiedJedis redis;
  private final String prefix;
  private final WeChatClient weChat;
  private final Map<String, WeChatApp> apps;
  private final Endpoint endpoint;
  private final Clock clock;
  private final MeterRegistry registry;
  private final Map<String, Cached> local = new ConcurrentHashMap<>();
  private final Map<String, String> lastRefused = new ConcurrentHashMap<>();

  public TokenManager(UnifiedJedis redis, String prefix, WeChatClient weChat, Map<String, WeChatApp> apps, Endpoint endpoint,
      Clock clock, MeterRegistry registry) {
    this.redis = redis;
    this.prefix = prefix;
    this.weChat = weChat;
    this.apps = Map.copyOf(apps);
    this.endpoint = endpoint;
    this.clock = clock;
    this.registry = registry;
    apps.keySet().forEach(appId -> WxpushMeter.TOKEN_REFRESHES.counter(registry, appId)); // shown at 0 until the first refresh
  }

  private String key(String appId) {
    return prefix + "token{" + appId + "}";
  }

  /** The app's current token: from memory, else Redis, else a refresh (by this worker or another). */
  public String token(String appId) throws WeChatException {
    Cached cached = local.get(appId);
    long now = clock.millis();
    if (cached != null && now - cached.fetchedAt() < LOCAL_REUSE.toMillis()) return cached.token();
    long deadline = now + WAIT_FOR_REFRESH.toMillis();
    while (true) {
      String stored = redis.get(key(appId));
      if (stored != null && !stored.equals(lastRefused.get(appId))) {
        local.put(appId, new Cached(stored, clock.millis()));
        return stored;
      }
      String lock = key(appId) + ":lock";
      String nonce = UUID.randomUUID().toString();
      if ("OK".equals(redis.set(lock, nonce, SetParams.setParams().nx().px(LOCK_TTL.toMillis())))) {
        try {
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
    if (token.value().equals(lastRefused.get(appId))) {
      // Normal mode handed back the token WeChat just refused: force a new one.
      token = fetch(app, true);
    }
    long ttl = Math.max(1_000, token.expiresAtMs() - clock.millis() - EARLY_EXPIRY.toMillis());
    redis.set(key(appId), token.value(), SetParams.setParams().px(ttl));
    lastRefused.remove(appId);
    local.put(appId, new Cached(token.value(), clock.millis()));
    WxpushMeter.TOKEN_REFRESHES.counter(registry, appId).increment();
    log.info("event=token_refreshed app={} ttl_ms={}", appId, ttl);
    return token.value();
  }

  private AccessToken fetch(WeChatApp app, boolean force) throws WeChatException {
    return endpoint == Endpoint.STABLE ? weChat.stableToken(app, force) : weChat.legacyToken(app);
  }

  private static void pause() {
    try {
      Thread.sleep(50);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for a token", e);
    }
  }
}
