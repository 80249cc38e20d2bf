package io.wxpush.push;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;

/**
 * A business service's request to push one message to listed users or to everyone, as carried
 * on {@code wxpush.push-requests} (key = requestId) and accepted by {@code POST /v1/pushes}.
 *
 * @param v record version, 1
 * @param requestId idempotency key: the same id twice is one push
 * @param kind {@code template} (spends form_id/prepay_id) or {@code subscribe} (spends grants)
 * @param data keyword → value
 * @param audience listed openIds, or everyone with a credential of the right kind
 * @param notAfter epoch ms after which nothing more is sent; null = no limit
 * @param sendAt epoch ms before which nothing is sent (the push waits, {@code scheduled}); null = now
 * @param callbackUrl where the final status is POSTed (signed); null = nowhere. Only for pushes
 *     accepted over HTTP: the signature is keyed with the push API key that created it
 * @param priority {@code low}, {@code normal} (null means this) or {@code critical}: a critical push
 *     ignores quiet hours, frequency caps and the reserve; a low one never spends a user's last
 *     credential when the app's policy reserves it
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PushRequest(
    int v,
    String requestId,
    String appId,
    String kind,
    String templateId,
    String page,
    Map<String, String> data,
    String emphasisKeyword,
    String miniprogramState,
    String lang,
    Audience audience,
    Long notAfter,
    Long sendAt,
    String callbackUrl,
    String priority) {

  public static final int VERSION = 1;

  public PushRequest {
    data = data == null ? Map.of() : Map.copyOf(data);
  }

  /** A push to be sent now. */
  public PushRequest(int v, String requestId, String appId, String kind, String templateId, String page, Map<String, String> data,
      String emphasisKeyword, String miniprogramState, String lang, Audience audience, Long notAfter) {
    this(v, requestId, appId, kind, templateId, page, data, emphasisKeyword, miniprogramState, lang, audience, notAfter, null, null, null);
  }

  /** A push of normal priority. */
  public PushRequest(int v, String requestId, String appId, String kind, String templateId, String page, Map<String, String> data,
      String emphasisKeyword, String miniprogramState, String lang, Audience audience, Long notAfter, Long sendAt, String callbackUrl) {
    this(v, requestId, appId, kind, templateId, page, data, emphasisKeyword, miniprogramState, lang, audience, notAfter, sendAt, callbackUrl,
        null);
  }

  /** Priorities a push may have. */
  public static final java.util.Set<String> PRIORITIES = java.util.Set.of("low", "normal", "critical");

  /** True for a {@code critical} push: quiet hours, caps and the reserve do not apply. */
  public boolean critical() {
    return "critical".equals(priority);
  }

  /** True for a {@code low} push: the app's reserve applies. */
  public boolean low() {
    return "low".equals(priority);
  }

  /** True when it is to wait until {@code sendAt}, later than {@code nowMs}. */
  public boolean scheduledAfter(long nowMs) {
    return sendAt != null && sendAt > nowMs;
  }

  public boolean subscribe() {
    return "subscribe".equals(kind);
  }

  /**
   * Who a push goes to: {@code {"openIds":[…]}}, {@code {"all":true}}, or {@code {"expiringWithin":"48h"}}
   * (every user whose soonest form_id or prepay_id expires within that time: the recall audience).
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Audience(List<String> openIds, Boolean all, String expiringWithin) {
    public Audience {
      openIds = openIds == null ? null : List.copyOf(openIds);
    }

    public Audience(List<String> openIds, Boolean all) {
      this(openIds, all, null);
    }

    public boolean everyone() {
      return Boolean.TRUE.equals(all);
    }

    /** True for the recall audience. */
    public boolean expiring() {
      return expiringWithin != null;
    }

    /** The recall window, for {@link #expiring()}. */
    public java.time.Duration expiringWindow() {
      return parseWindow(expiringWithin);
    }

    /** {@code 90m}, {@code 48h}, {@code 7d} as a duration; IllegalArgumentException for anything else. */
    public static java.time.Duration parseWindow(String text) {
      java.util.regex.Matcher m = java.util.regex.Pattern.compile("([0-9]{1,6})([mhd])").matcher(text == null ? "" : text);
      if (!m.matches()) throw new IllegalArgumentException("not a duration such as 90m, 48h or 7d: " + text);
      long n = Long.parseLong(m.group(1));
      return switch (m.group(2)) {
        case "m" -> java.time.Duration.ofMinutes(n);
        case "h" -> java.time.Duration.ofHours(n);
        default -> java.time.Duration.ofDays(n);
      };
    }
  }
}
