package io.wxpush.push;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Map;

/**
 * One user's share of a push, as carried on {@code wxpush.push-tasks} (key {@code appId:openId}).
 * It holds the whole message, so a sender needs nothing else to send it.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PushTask(
    int v,
    String requestId,
    String appId,
    String openId,
    String kind,
    String templateId,
    String page,
    Map<String, String> data,
    String emphasisKeyword,
    String miniprogramState,
    String lang,
    Long notAfter) {

  public static PushTask of(PushRequest r, String openId) {
    return new PushTask(1, r.requestId(), r.appId(), openId, r.kind(), r.templateId(), r.page(), r.data(),
        r.emphasisKeyword(), r.miniprogramState(), r.lang(), r.notAfter());
  }

  public boolean subscribe() {
    return "subscribe".equals(kind);
  }

  public String kafkaKey() {
    return appId + ":" + openId;
  }
}
