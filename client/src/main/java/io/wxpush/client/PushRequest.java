package io.wxpush.client;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
 * <p>Build one with {@link #template} or {@link #subscribe}:
 * <pre>{@code
 * PushRequest push = PushRequest.subscribe("wx1234", "TPL_ORDER").requestId("order-42-shipped")
 *     .data("thing1", "a parcel").page("pages/order/index?id=42").toUsers("o-alice").build();
 * }</pre>
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
  public static final Set<String> PRIORITIES = Set.of("low", "normal", "critical");

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
    public Duration expiringWindow() {
      return parseWindow(expiringWithin);
    }

    /** {@code 90m}, {@code 48h}, {@code 7d} as a duration; IllegalArgumentException for anything else. */
    public static Duration parseWindow(String text) {
      Matcher m = Pattern.compile("([0-9]{1,6})([mhd])").matcher(text == null ? "" : text);
      if (!m.matches()) throw new IllegalArgumentException("not a duration such as 90m, 48h or 7d: " + text);
      long n = Long.parseLong(m.group(1));
      return switch (m.group(2)) {
        case "m" -> Duration.ofMinutes(n);
        case "h" -> Duration.ofHours(n);
        default -> Duration.ofDays(n);
      };
    }
  }

  /** A builder of a {@code template} push (spends form_ids and prepay_ids) of {@code appId} with {@code templateId}. */
  public static Builder template(String appId, String templateId) {
    return new Builder(appId, "template", templateId);
  }

  /** A builder of a {@code subscribe} push (spends the users' grants of {@code templateId}) of {@code appId}. */
  public static Builder subscribe(String appId, String templateId) {
    return new Builder(appId, "subscribe", templateId);
  }

  /**
   * Builds a {@link PushRequest}; the audience is required, the requestId a fresh UUID unless set
   * (set it from the business event, e.g. {@code order-42-shipped}, so a retry is the same push).
   * Not thread-safe; wxpush checks the rest (400 {@code invalid_push}, or {@code failed} on Kafka).
   */
  public static final class Builder {
    private final String appId;
    private final String kind;
    private final String templateId;
    private final Map<String, String> data = new LinkedHashMap<>();
    private String requestId;
    private String page;
    private String emphasisKeyword;
    private String miniprogramState;
    private String lang;
    private Audience audience;
    private Long notAfter;
    private Long sendAt;
    private String callbackUrl;
    private String priority;

    private Builder(String appId, String kind, String templateId) {
      this.appId = Objects.requireNonNull(appId, "appId");
      this.kind = kind;
      this.templateId = Objects.requireNonNull(templateId, "templateId");
    }

    /** The idempotency key (≤ 64 of {@code [A-Za-z0-9._:-]}): the same id twice is one push. */
    public Builder requestId(String requestId) {
      this.requestId = requestId;
      return this;
    }

    /** One keyword's value, e.g. {@code data("thing1", "a parcel")}. */
    public Builder data(String keyword, String value) {
      data.put(keyword, value);
      return this;
    }

    /** Every keyword's value. */
    public Builder data(Map<String, String> values) {
      data.putAll(values);
      return this;
    }

    /** The mini-program page the message opens, e.g. {@code pages/order/index?id=42}. */
    public Builder page(String page) {
      this.page = page;
      return this;
    }

    /** The keyword shown large ({@code keyword1.DATA}; template pushes only). */
    public Builder emphasisKeyword(String emphasisKeyword) {
      this.emphasisKeyword = emphasisKeyword;
      return this;
    }

    /** {@code developer}, {@code trial} or {@code formal}: which version of the mini-program the message opens. */
    public Builder miniprogramState(String miniprogramState) {
      this.miniprogramState = miniprogramState;
      return this;
    }

    /** {@code zh_CN}, {@code en_US}, {@code zh_HK} or {@code zh_TW}. */
    public Builder lang(String lang) {
      this.lang = lang;
      return this;
    }

    /** To these users (openIds of the app), each once. */
    public Builder toUsers(Collection<String> openIds) {
      this.audience = new Audience(List.copyOf(openIds), null);
      return this;
    }

    /** To these users (openIds of the app), each once. */
    public Builder toUsers(String... openIds) {
      return toUsers(List.of(openIds));
    }

    /** To every user of the app with a credential of the right kind. */
    public Builder toEveryone() {
      this.audience = new Audience(null, true);
      return this;
    }

    /** To every user whose soonest form_id or prepay_id expires within {@code window} ({@code 90m}, {@code 48h}, {@code 7d}). */
    public Builder toExpiringWithin(String window) {
      this.audience = new Audience(null, null, window);
      return this;
    }

    /** Nothing of it is sent after {@code instant}. */
    public Builder notAfter(Instant instant) {
      this.notAfter = instant.toEpochMilli();
      return this;
    }

    /** Nothing of it is sent before {@code instant} (at most 7 days ahead). */
    public Builder sendAt(Instant instant) {
      this.sendAt = instant.toEpochMilli();
      return this;
    }

    /** Where its final status is POSTed, signed (HTTP only); check it with {@link CallbackVerifier}. */
    public Builder callbackUrl(String callbackUrl) {
      this.callbackUrl = callbackUrl;
      return this;
    }

    /** {@code low}, {@code normal} or {@code critical}. */
    public Builder priority(String priority) {
      this.priority = priority;
      return this;
    }

    /** The request; IllegalStateException without an audience. */
    public PushRequest build() {
      if (audience == null) throw new IllegalStateException("no audience: call toUsers, toEveryone or toExpiringWithin");
      return new PushRequest(VERSION, requestId == null ? UUID.randomUUID().toString() : requestId, appId, kind, templateId, page,
          data, emphasisKeyword, miniprogramState, lang, audience, notAfter, sendAt, callbackUrl, priority);
    }
  }
}
