package io.wxpush.quota;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * An app's daily quota of WeChat's subscribe send as {@code cgi-bin/openapi/quota/get} last
 * reported it: the day's limit, what is used and left (WeChat's day ends at Beijing midnight),
 * the rate limit when WeChat names one, and when it was read.
 *
 * @param refreshedAtMs when wxpush read it (epoch ms)
 */
public record Quota(long dailyLimit, long used, long remain, Optional<RateLimit> rateLimit, long refreshedAtMs) {
  public Quota {
    if (dailyLimit < 0 || used < 0 || remain < 0) throw new IllegalArgumentException("quota counts must be >= 0");
  }

  /** WeChat's rate limit: at most {@code callCount} calls per {@code refreshSeconds}. */
  public record RateLimit(long callCount, long refreshSeconds) {
    public RateLimit {
      if (callCount < 1 || refreshSeconds < 1) throw new IllegalArgumentException("rate limit must be positive: " + callCount + "/" + refreshSeconds + "s");
    }

    /**
     * Sends per second that keep within it: {@code callCount / refreshSeconds} rounded down, at
     * least 1 (whole seconds that each stay under it keep every {@code refreshSeconds} window under it).
     */
    public int perSecond() {
      return (int) Math.max(1, Math.min(Integer.MAX_VALUE, callCount / refreshSeconds));
    }
  }

  /** The shape {@code GET /v1/apps/{appId}} shows and Redis stores: {@code {"dailyLimit","used","remain","rateLimit"?,"refreshedAt"}}. */
  public Map<String, Object> toJson() {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("dailyLimit", dailyLimit);
    out.put("used", used);
    out.put("remain", remain);
    rateLimit.ifPresent(r -> out.put("rateLimit", Map.of("callCount", r.callCount(), "refreshSecond", r.refreshSeconds())));
    out.put("refreshedAt", refreshedAtMs);
    return out;
  }
}
