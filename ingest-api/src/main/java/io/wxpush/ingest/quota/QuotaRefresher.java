package io.wxpush.ingest.quota;

import io.wxpush.quota.Quota;
import io.wxpush.quota.QuotaStore;
import io.wxpush.redis.RedisKeys;
import io.wxpush.redis.RedisScript;
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
 * Keeps each app's subscribe-send quota fresh in the {@link QuotaStore}: every
 * {@code QUOTA_REFRESH} one ingest-api instance of the fleet (whoever takes the app's lock)
 * reads {@code cgi-bin/openapi/quota/get} and stores the answer. It reads early, within a
 * {@link #ROUND}, once the app is paused by a 45009 while the stored quota still shows some left:
 * the senders' pause in Redis is the mark, no other signal is needed, and one early read per pause
 * and process is made (a 45009 pause ends at Beijing midnight, so that is one a day). When WeChat cannot
 * answer, the last quota stays until its keep time ends. Run it every few seconds: a round whose
 * apps are all fresh costs one or two Redis reads per app. Thread-safe.
 */
public final class QuotaRefresher implements Runnable {
  /** The least time between two tries of one app when WeChat did not answer. */
  public static final Duration RETRY_GAP = Duration.ofSeconds(30);
  /** How often {@link #run} should be called. */
  public static final Duration ROUND = Duration.ofSeconds(10);

  private static final Logger log = LoggerFactory.getLogger(QuotaRefresher.class);
  private static final RedisScript COMPARE_AND_DELETE = RedisScript.load(TokenManager.class, "compare-and-delete.lua");
  private static final String DAILY_QUOTA = "45009";

  private final UnifiedJedis redis;
  private final RedisKeys keys;
  private final QuotaStore store;
  private final TokenManager tokens;
  private final WeChatClient weChat;
  private final Set<String> apps;
  private final Duration every;
  private final Duration keep;
  private final Duration lockLease;
  private final Clock clock;
  /** When this process last tried each app, so a failing WeChat is not asked every round. */
  private final Map<String, Long> lastTry = new ConcurrentHashMap<>();
  /** Per app, the end of the 45009 pause this process has made its early read for. */
  private final Map<String, Long> earlyReadFor = new ConcurrentHashMap<>();

  public QuotaRefresher(UnifiedJedis redis, RedisKeys keys, QuotaStore store, TokenManager tokens, WeChatClient weChat, Set<String> apps,
      Duration every, Duration weChatTimeout, Clock clock) {
    this.redis = redis;
    this.keys = keys;
    this.store = store;
    this.tokens = tokens;
    this.weChat = weChat;
    this.apps = Set.copyOf(apps);
    this.every = every;
    this.keep = keepFor(every);
    this.lockLease = weChatTimeout.multipliedBy(3).plusSeconds(5);
    this.clock = clock;
  }

  /** How long a stored quota lives without a refresh: three periods, at least 30 minutes. */
  public static Duration keepFor(Duration every) {
    Duration three = every.multipliedBy(3);
    return three.compareTo(Duration.ofMinutes(30)) < 0 ? Duration.ofMinutes(30) : three;
  }

  /** One round: reads every app whose quota is older than {@code QUOTA_REFRESH} (or missing), or stale behind a 45009 pause. */
  @Override
  public void run() {
    for (String app : apps) {
      try {
        refreshIfDue(app);
      } catch (RuntimeException e) { // Redis away: the next round tries again
        log.warn("event=quota_refresh_failed app={} error={}", app, e.toString());
      }
    }
  }

  private void refreshIfDue(String appId) {
    long now = clock.millis();
    Optional<Quota> current = store.read(appId);
    boolean due = current.isEmpty() || now - current.get().refreshedAtMs() >= every.toMillis();
    if (!due && current.get().remain() > 0) {
      long pausedUntil = dailyQuotaPauseEnd(appId, now);
      if (pausedUntil > 0 && !Long.valueOf(pausedUntil).equals(earlyReadFor.get(appId))) {
        earlyReadFor.put(appId, pausedUntil); // WeChat said 45009 while the stored quota shows some left: learn what it says now
        lastTry.remove(appId);
        due = true;
      }
    }
    if (!due) return;
    Long tried = lastTry.get(appId);
    if (tried != null && now - tried < RETRY_GAP.toMillis() && now >= tried) return;
    String lock = keys.quotaLock(appId);
    String nonce = UUID.randomUUID().toString();
    if (!"OK".equals(redis.set(lock, nonce, SetParams.setParams().nx().px(lockLease.toMillis())))) return; // another instance is at it
    lastTry.put(appId, now);
    try {
      Quota quota = load(appId);
      store.store(appId, quota, keep);
      log.info("event=quota_loaded app={} daily_limit={} used={} remain={} rate={}", appId, quota.dailyLimit(), quota.used(), quota.remain(),
          quota.rateLimit().map(r -> r.callCount() + "/" + r.refreshSeconds() + "s").orElse("none"));
    } catch (WeChatException e) {
      log.warn("event=quota_refresh_failed app={} errcode={} http={} kept={}", appId, e.reply().errcode(), e.reply().httpStatus(),
          current.isPresent() ? "last quota" : "none");
    } finally {
      COMPARE_AND_DELETE.eval(redis, List.of(lock), List.of(nonce));
    }
  }

  /** When the senders' 45009 pause of the app ({@code "<untilMs> <errcode>"}) ends, or 0 when there is none in force. */
  private long dailyQuotaPauseEnd(String appId, long now) {
    String pause = redis.get(keys.pause(appId));
    int space = pause == null ? -1 : pause.indexOf(' ');
    if (space < 0 || !pause.substring(space + 1).equals(DAILY_QUOTA)) return 0;
    try {
      long until = Long.parseLong(pause.substring(0, space));
      return until > now ? until : 0;
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /** Asks WeChat; a refused token is dropped and the call made once more with a fresh one. */
  private Quota load(String appId) throws WeChatException {
    String token = tokens.token(appId);
    try {
      return weChat.quota(token);
    } catch (WeChatException e) {
      if (ErrorClass.of(e.reply().errcode()) != ErrorClass.TOKEN) throw e;
      tokens.invalidate(appId, token);
      return weChat.quota(tokens.token(appId));
    }
  }
}
