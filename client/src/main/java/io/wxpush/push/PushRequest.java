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
    String callbackUrl) {

  public static final int VERSION = 1;

  public PushRequest {
    data = data == null ? Map.of() : Map.copyOf(data);
  }

  /** A push to be sent now. */
  public PushRequest(int v, String requestId, String appId, String kind, String templateId, String page, Map<String, String> data,
      String emphasisKeyword, String miniprogramState, String lang, Audience audience, Long notAfter) {
    this(v, requestId, appId, kind, templateId, page, data, emphasisKeyword, miniprogramState, lang, audience, notAfter, null, null);
  }

  /** True when it is to wait until {@code sendAt}, later than {@code nowMs}. */
  public boolean scheduledAfter(long nowMs) {
    return sendAt != null && sendAt > nowMs;
  }

  public boolean subscribe() {
    return "subscribe".equals(kind);
  }

  /** Who a push goes to: {@code {"openIds":[…]}} or {@code {"all":true}}. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Audience(List<String> openIds, Boolean all) {
    public Audience {
      openIds = openIds == null ? null : List.copyOf(openIds);
    }

    public boolean everyone() {
      return Boolean.TRUE.equals(all);
    }
  }
}
