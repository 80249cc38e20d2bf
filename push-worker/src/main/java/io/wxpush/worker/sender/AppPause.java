package io.wxpush.worker.sender;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.wxpush.redis.RedisKeys;
import io.wxpush.redis.RedisScript;
import java.time.Clock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import redis.clients.jedis.UnifiedJedis;

/**
 * Pauses an app's sends fleet-wide after WeChat's quota answers (45011 frequency limit, 45009
 * daily quota): the pause lives in Redis with its expiry, and each process re-reads it at most
 * every 200 ms, one read per app however many sends ask at that moment (a Caffeine cache loads a
 * key once for all its callers; a plain map let a thousand sends in flight all read it when it
 * went stale). A new pause is written by one script ({@code app-pause.lua}) that keeps whichever
 * pause ends later, so a 45011 pause never overwrites a 45009 one another sender set a moment
 * before (this process's read of the pause may be up to 200 ms old). Thread-safe.
 */
public final class AppPause {
  private static final long LOCAL_TTL_MS = 200;
  private static final RedisScript PAUSE = RedisScript.load(AppPause.class, "app-pause.lua");

  /** An active pause: until when, and why. */
  record Pause(long untilMs, PauseKind kind) {}

  private final UnifiedJedis redis;
  private final RedisKeys keys;
  private final Clock clock;
  private final Cache<String, Optional<Pause>> local;

  public AppPause(UnifiedJedis redis, RedisKeys keys, Clock clock) {
    this.redis = redis;
    this.keys = keys;
    this.clock = clock;
    this.local = Caffeine.newBuilder()
        .expireAfterWrite(Duration.ofMillis(LOCAL_TTL_MS))
        .ticker(() -> TimeUnit.MILLISECONDS.toNanos(clock.millis()))
        .maximumSize(10_000)
        .build();
  }

  private String key(String appId) {
    return keys.pause(appId);
  }

  Optional<Pause> current(String appId) {
    long now = clock.millis();
    return local.get(appId, this::read).filter(p -> p.untilMs() > now);
  }

  private Optional<Pause> read(String appId) {
    String value = redis.get(key(appId));
    return value == null ? Optional.empty() : Optional.of(parse(value));
  }

  /** A stored pause, {@code "<untilMs> <errcode>"}. */
  private static Pause parse(String value) {
    int space = value.indexOf(' ');
    long until = Long.parseLong(value.substring(0, space));
    // an unknown kind (a newer worker's) is taken as the stricter one
    return new Pause(until, PauseKind.ofCode(value.substring(space + 1)).orElse(PauseKind.DAILY_QUOTA));
  }

  /**
   * Pauses the app for {@code duration}; a pause already in place (in Redis, whoever set it) that
   * ends no earlier is kept, with its kind. This process then knows the pause in force.
   */
  void pause(String appId, Duration duration, PauseKind kind) {
    long until = clock.millis() + duration.toMillis();
    Object inForce = PAUSE.eval(redis, List.of(key(appId)),
        List.of(Long.toString(until), kind.code(), Long.toString(Math.max(1, duration.toMillis()))));
    String value = inForce instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : String.valueOf(inForce);
    local.put(appId, Optional.of(parse(value)));
  }

  /**
   * Sleeps while the app is rate-limited (45011); false when the pause outlasts {@code timeLeft}
   * less one try's {@code attemptBudget}. A daily-quota pause (which ends the task) is not waited for.
   */
  boolean waitOut(String appId, Duration attemptBudget, Duration timeLeft) throws InterruptedException {
    long deadline = System.nanoTime() + timeLeft.toNanos();
    Optional<Pause> pause = current(appId);
    while (pause.isPresent() && !pause.get().kind().endsTask()) {
      long left = pause.get().untilMs() - clock.millis();
      Duration remaining = Duration.ofNanos(deadline - System.nanoTime());
      if (Duration.ofMillis(left).plus(attemptBudget).compareTo(remaining) >= 0) return false;
      Thread.sleep(Math.max(1, Math.min(left, SendPolicy.MAX_RATE_LIMIT_PAUSE.toMillis())));
      pause = current(appId);
    }
    return true;
  }
}
