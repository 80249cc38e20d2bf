package io.wxpush.worker.credentials;

import io.micrometer.core.instrument.MeterRegistry;
import io.wxpush.config.GrantSource;
import io.wxpush.credentials.Credential;
import io.wxpush.credentials.CredentialKind;
import io.wxpush.credentials.CredentialPool;
import io.wxpush.user.UserRef;
import io.wxpush.metrics.WxpushMeter;
import io.wxpush.push.MessageIds;
import io.wxpush.push.PushId;
import io.wxpush.push.PushStatusStore;
import io.wxpush.wechat.push.WeChatEvent;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies a WeChat subscribe-message event to the pools, idempotently (the sink may see one twice,
 * and WeChat retries): a popup {@code accept} is one grant with an id derived from the event
 * (when the app takes grants from events); a popup or settings {@code reject} spends every live
 * grant of that template; a sent-event {@code ErrorCode} ≠ 0 counts {@code async_<code>} in the
 * push that sent that {@code MsgID} (the msgid is taken out on first sight, so a repeat adds nothing).
 */
final class EventApplier {
  private static final Logger log = LoggerFactory.getLogger(EventApplier.class);

  private final CredentialPool pool;
  private final MessageIds messageIds;
  private final PushStatusStore status;
  private final Function<String, GrantSource> sources;
  private final MeterRegistry meters;

  EventApplier(CredentialPool pool, MessageIds messageIds, PushStatusStore status, Function<String, GrantSource> sources, MeterRegistry meters) {
    this.pool = pool;
    this.messageIds = messageIds;
    this.status = status;
    this.sources = sources;
    this.meters = meters;
    for (String effect : List.of("grant", "drop", "late_failure", "ignored")) WxpushMeter.EVENTS_APPLIED.counter(meters, effect);
  }

  /** Returns how many grants it added. */
  int apply(WeChatEvent e) {
    UserRef user = new UserRef(e.appId(), e.openId());
    int added = 0;
    for (int i = 0; i < e.items().size(); i++) {
      Map<String, String> item = e.items().get(i);
      String template = item.getOrDefault("TemplateId", "");
      String answer = item.getOrDefault("SubscribeStatusString", "");
      switch (e.event()) {
        case WeChatEvent.POPUP, WeChatEvent.CHANGE -> {
          if (template.isEmpty() || !template.matches("[A-Za-z0-9_-]{1,128}")) {
            count("ignored");
          } else if (answer.equals("accept") && e.event().equals(WeChatEvent.POPUP) && sources.apply(e.appId()).eventGrants()) {
            added += pool.addAll(List.of(Credential.of(e.appId(), e.openId(), CredentialKind.SUBSCRIPTION, e.grantId(i), template,
                e.createTime() * 1000)));
            count("grant");
          } else if (answer.equals("reject")) {
            int dropped = pool.dropGrants(user, template);
            count("drop");
            log.info("event=grants_dropped app={} template={} grants={} by={}", e.appId(), template, dropped, e.event());
          } else {
            count("ignored");
          }
        }
        case WeChatEvent.SENT -> {
          String code = item.getOrDefault("ErrorCode", "0");
          long msgid;
          try {
            msgid = Long.parseLong(item.getOrDefault("MsgID", ""));
          } catch (NumberFormatException ex) {
            count("ignored");
            continue;
          }
          if (code.equals("0") || !code.matches("-?[0-9]{1,9}")) {
            count("ignored");
            continue;
          }
          var push = messageIds.take(e.appId(), msgid);
          if (push.isPresent() && status.countLate(new PushId(e.appId(), push.get()), "async_" + code)) {
            count("late_failure");
            log.info("event=late_failure requestId={} app={} errcode={}", push.get(), e.appId(), code);
          } else {
            count("ignored");
          }
        }
        default -> count("ignored");
      }
    }
    return added;
  }

  private void count(String effect) {
    WxpushMeter.EVENTS_APPLIED.counter(meters, effect).increment();
  }
}
