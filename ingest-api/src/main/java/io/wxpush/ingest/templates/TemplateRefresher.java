package io.wxpush.ingest.templates;

import io.micrometer.core.instrument.MeterRegistry;
import io.wxpush.metrics.WxpushMeter;
import io.wxpush.redis.RedisKeys;
import io.wxpush.redis.RedisScript;
import io.wxpush.templates.AppTemplates;
import io.wxpush.templates.Template;
import io.wxpush.templates.TemplateRegistry;
import io.wxpush.token.TokenManager;
import io.wxpush.wechat.ErrorClass;
import io.wxpush.wechat.WeChatClient;
import io.wxpush.wechat.WeChatException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.params.SetParams;

/**
 * Keeps each app's subscribe template list fresh in the {@link TemplateRegistry}: every
 * {@code TEMPLATE_REFRESH} one ingest-api instance of the fleet (whoever takes the app's lock)
 * reads {@code wxaapi/newtmpl/gettemplate} and stores the answer. When WeChat cannot answer the
 * last list stays in use. A push or grant naming a template the list lacks asks for an early
 * refresh ({@link #refreshSoon}), at most once per {@link #EARLY_GAP} per app, so a template just
 * added in the WeChat console is usable within seconds. Thread-safe.
 */
public final class TemplateRefresher implements Runnable {
  /** The least time between two refreshes of one app asked for by a push or a grant. */
  public static final Duration EARLY_GAP = Duration.ofSeconds(10);
  /** How long a request waits for another instance's first load of an app's list. */
  public static final Duration FIRST_LOAD_WAIT = Duration.ofSeconds(3);

  private static final Logger log = LoggerFactory.getLogger(TemplateRefresher.class);
  private static final RedisScript COMPARE_AND_DELETE = RedisScript.load(TokenManager.class, "compare-and-delete.lua");

  private final UnifiedJedis redis;
  private final RedisKeys keys;
  private final TemplateRegistry registry;
  private final TokenManager tokens;
  private final WeChatClient weChat;
  private final Set<String> apps;
  private final Duration every;
  private final Duration lockLease;
  private final Clock clock;
  private final MeterRegistry meters;
  /** When this process last tried each app, so a failing WeChat is not asked on every request. */
  private final Map<String, Long> lastTry = new ConcurrentHashMap<>();

  public TemplateRefresher(UnifiedJedis redis, RedisKeys keys, TemplateRegistry registry, TokenManager tokens, WeChatClient weChat,
      Set<String> apps, Duration every, Duration weChatTimeout, Clock clock, MeterRegistry meters) {
    this.redis = redis;
    this.keys = keys;
    this.registry = registry;
    this.tokens = tokens;
    this.weChat = weChat;
    this.apps = Set.copyOf(apps);
    this.every = every;
    this.lockLease = weChatTimeout.multipliedBy(3).plusSeconds(5);
    this.clock = clock;
    this.meters = meters;
    for (String app : this.apps) {
      WxpushMeter.TEMPLATE_REFRESHES.counter(meters, app, "loaded");
      WxpushMeter.TEMPLATE_REFRESHES.counter(meters, app, "failed");
    }
  }

  /** One round: refreshes every app whose list is older than {@code TEMPLATE_REFRESH} (or missing). */
  @Override
  public void run() {
    for (String app : apps) {
      try {
        refreshIfOlderThan(app, every, Duration.ofSeconds(15));
      } catch (RuntimeException e) { // Redis away: the next round tries again
        log.warn("event=templates_refresh_failed app={} error={}", app, e.toString());
      }
    }
  }

  /**
   * A push or grant named a template the list lacks, or there is no list yet: refresh now unless
   * the list or this process's last try is younger than {@link #EARLY_GAP}. Returns the list as it
   * then stands.
   */
  public Optional<AppTemplates> refreshSoon(String appId) {
    Optional<AppTemplates> cached = registry.get(appId);
    long now = clock.millis();
    if (cached.isPresent() && now - cached.get().loadedAtMs() < EARLY_GAP.toMillis()) return cached; // nothing newer to learn yet
    try {
      refreshIfOlderThan(appId, EARLY_GAP, EARLY_GAP);
      // no list at all and another instance is loading it (a fleet starting): wait for its answer a little
      long until = clock.millis() + FIRST_LOAD_WAIT.toMillis();
      while (registry.read(appId).isEmpty() && redis.exists(keys.templatesLock(appId)) && clock.millis() < until) Thread.sleep(100);
    } catch (RuntimeException e) {
      log.warn("event=templates_refresh_failed app={} error={}", appId, e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return registry.get(appId);
  }

  private void refreshIfOlderThan(String appId, Duration maxAge, Duration retryGap) {
    long now = clock.millis();
    Long tried = lastTry.get(appId);
    if (tried != null && now - tried < retryGap.toMillis() && now >= tried) return;
    Optional<AppTemplates> current = registry.read(appId);
    if (current.isPresent() && now - current.get().loadedAtMs() < maxAge.toMillis()) return;
    String lock = keys.templatesLock(appId);
    String nonce = UUID.randomUUID().toString();
    if (!"OK".equals(redis.set(lock, nonce, SetParams.setParams().nx().px(lockLease.toMillis())))) return; // another instance is at it
    lastTry.put(appId, now);
    try {
      List<Template> list = load(appId);
      registry.store(appId, list, clock.millis());
      WxpushMeter.TEMPLATE_REFRESHES.counter(meters, appId, "loaded").increment();
      log.info("event=templates_loaded app={} templates={}", appId, list.size());
    } catch (WeChatException e) {
      WxpushMeter.TEMPLATE_REFRESHES.counter(meters, appId, "failed").increment();
      log.warn("event=templates_refresh_failed app={} errcode={} http={} kept={}", appId, e.reply().errcode(), e.reply().httpStatus(),
          current.isPresent() ? "last list" : "none");
    } finally {
      COMPARE_AND_DELETE.eval(redis, List.of(lock), List.of(nonce));
    }
  }

  /** Asks WeChat; a refused token is dropped and the call made once more with a fresh one. */
  private List<Template> load(String appId) throws WeChatException {
    String token = tokens.token(appId);
    try {
      return weChat.subscribeTemplates(token);
    } catch (WeChatException e) {
      if (ErrorClass.of(e.reply().errcode()) != ErrorClass.TOKEN) throw e;
      tokens.invalidate(appId, token);
      return weChat.subscribeTemplates(tokens.token(appId));
    }
  }
}
