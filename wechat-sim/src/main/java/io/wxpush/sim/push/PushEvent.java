package io.wxpush.sim.push;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One subscribe-message event as WeChat pushes it, before it is written out: the account, the
 * user, the time, the event name and its {@code List} items (WeChat's field names).
 *
 * @param toUserName the mini-program's original id ({@code gh_…})
 * @param fromUserName the user's openId
 * @param createTime epoch seconds
 * @param xmlWrapper the element WeChat wraps the items in, in XML ({@code SubscribeMsgPopupEvent}, …)
 */
public record PushEvent(String toUserName, String fromUserName, long createTime, String event, String xmlWrapper,
    List<Map<String, String>> items) {
  public PushEvent {
    Objects.requireNonNull(toUserName, "toUserName");
    Objects.requireNonNull(fromUserName, "fromUserName");
    Objects.requireNonNull(event, "event");
    Objects.requireNonNull(xmlWrapper, "xmlWrapper");
    items = items.stream().map(Map::copyOf).toList();
  }
}
