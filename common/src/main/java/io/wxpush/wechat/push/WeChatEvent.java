package io.wxpush.wechat.push;

import com.fasterxml.jackson.annotation.JsonIgnore;
import io.wxpush.user.UserRef;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A subscribe-message event of one user, as ingest-api publishes it to {@code wxpush.credentials}
 * (key {@code appId:openId}, beside that user's uploads, so the two apply in order) and the
 * credentials role applies it.
 *
 * @param event {@code subscribe_msg_popup_event}, {@code subscribe_msg_change_event} or {@code subscribe_msg_sent_event}
 * @param createTime WeChat's {@code CreateTime}, epoch seconds
 * @param items the event's {@code List} items, WeChat's field names
 */
public record WeChatEvent(int v, String event, String appId, String openId, long createTime, List<Map<String, String>> items) {
  public static final String POPUP = "subscribe_msg_popup_event";
  public static final String CHANGE = "subscribe_msg_change_event";
  public static final String SENT = "subscribe_msg_sent_event";
  public static final Set<String> HANDLED = Set.of(POPUP, CHANGE, SENT);

  public WeChatEvent {
    items = items == null ? List.of() : items.stream().map(Map::copyOf).toList();
  }

  /** The event a pushed message carries, if it is one wxpush handles. */
  public static Optional<WeChatEvent> of(String appId, PushMessage m) {
    String type = m.field("Event").orElse("");
    if (!"event".equals(m.field("MsgType").orElse("")) || !HANDLED.contains(type)) return Optional.empty();
    String openId = m.field("FromUserName").orElse("");
    if (!UserRef.isValidId(openId)) throw new IllegalArgumentException("FromUserName is not an openId");
    long created;
    try {
      created = Long.parseLong(m.field("CreateTime").orElse(""));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("CreateTime is not a number");
    }
    return Optional.of(new WeChatEvent(1, type, appId, openId, created, m.items()));
  }

  @JsonIgnore
  public String kafkaKey() {
    return appId + ":" + openId;
  }

  /**
   * The grant id of the {@code index}th item: derived from the event, so WeChat's retries of it
   * (the same user, time, template and place) name the same grant and add nothing.
   */
  public String grantId(int index) {
    String template = items.get(index).getOrDefault("TemplateId", "");
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest((openId + "|" + createTime + "|" + template + "|" + index).getBytes(StandardCharsets.UTF_8));
      return "ev" + HexFormat.of().formatHex(d, 0, 12);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
