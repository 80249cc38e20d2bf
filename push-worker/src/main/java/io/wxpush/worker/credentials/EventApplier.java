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
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies a WeChat subscribe-message event to the pools, idempotently (the sink may see one twice,
 * and WeChat retries): a popup {@code accept} is one grant with an id derived from the event
 * (when the app takes grants from events); a popup or settings {@code reject} spends every live
 * grant of that template; a sent-event {@code ErrorCode} ≠ 0 counts {@code async_<code>} in the
 * push that sent that {@code MsgID} (the msgid is taken on first sight, so a repeat adds nothing);
 * a sent event of a {@code MsgID} wxpush never learned (the send's answer was lost) settles the
 * user's oldest {@code unknown} send of that template as WeChat says ({@link DoubtSettler}), a moment
 * later, in memory.
 */
final class EventApplier {
  /** When a sent event of a msgid wxpush never learned is matched against the user's sends in doubt: about two minutes in all. */
  static final List<Duration> DOUBT_DELAYS = List.of(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4),
      Duration.ofSeconds(8), Duration.ofSeconds(15), Duration.ofSeconds(30), Duration.ofSeconds(60));
  /** Sent events waiting to be matched, at most (about 200 bytes each). */
  static final int MAX_DEFERRED = 100_000;
  private static final Logger log = LoggerFactory.getLogger(EventApplier.class);

  private final CredentialPool pool;
  private final MessageIds messageIds;
  private final PushStatusStore status;
  private final Function<String, GrantSource> sources;
  private final MeterRegistry meters;
  private final DoubtSettler doubts;
  private final ScheduledExecutorService later =
      Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("sent-event-settler").daemon().factory());
  private final AtomicInteger deferred = new AtomicInteger();

  EventApplier(CredentialPool pool, MessageIds messageIds, PushStatusStore status, DoubtSettler doubts, Function<String, GrantSource> sources,
      MeterRegistry meters) {
    this.pool = pool;
    this.messageIds = messageIds;
    this.status = status;
    this.doubts = doubts;
    this.sources = sources;
    this.meters = meters;
    for (String effect : List.of("grant", "drop", "late_failure", "settled_sent", "settled_failed", "unsettled", "ignored")) {
      WxpushMeter.EVENTS_APPLIED.counter(meters, effect);
    }
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
          long msgid;
          try {
            msgid = Long.parseLong(item.getOrDefault("MsgID", ""));
          } catch (NumberFormatException ex) {
            count("ignored");
            continue;
          }
          String code = item.getOrDefault("ErrorCode", "0");
          if (!code.matches("-?[0-9]{1,9}") || !template.matches("[A-Za-z0-9_-]{1,128}")) {
            count("ignored");
            continue;
          }
          Sent sent = new Sent(user, template, msgid, Integer.parseInt(code));
          if (!learned(sent)) defer(sent, 0);
        }
        default -> count("ignored");
      }
    }
    return added;
  }

  /** One item of a sent event. */
  private record Sent(UserRef user, String templateId, long msgid, int errorCode) {}

  /**
   * The path of a msgid wxpush learned from a send's answer: a failure counts {@code async_<code>}
   * in its push once; a delivery changes nothing (its send is {@code sent} already). False when the
   * msgid was never learned: the send's answer was lost, and the event may settle its doubt.
   */
  private boolean learned(Sent s) {
    if (s.errorCode() != 0) {
      var push = messageIds.take(s.user().appId(), s.msgid());
      if (push.isPresent()) {
        if (status.countLate(new PushId(s.user().appId(), push.get()), "async_" + s.errorCode())) {
          count("late_failure");
          log.info("event=late_failure requestId={} app={} errcode={}", push.get(), s.user().appId(), s.errorCode());
        } else {
          count("ignored");
        }
        return true;
      }
    }
    if (messageIds.known(s.user().appId(), s.msgid())) {
      count("ignored");
      return true;
    }
    return false;
  }

  /**
   * Settles the doubt of a send the event may be about after {@code DOUBT_DELAYS[attempt]}: never at
   * once, as a send answered ok has its ledger entry written a moment before its msgid is remembered;
   * again while a send of the template is still in flight for the user (the event may have beaten
   * its lost answer); at the last attempt regardless. Kept in memory, at most {@value #MAX_DEFERRED}.
   */
  private void defer(Sent s, int attempt) {
    if (attempt == 0 && deferred.incrementAndGet() > MAX_DEFERRED) {
      deferred.decrementAndGet();
      count("unsettled");
      log.warn("event=sent_event_dropped app={} msgid={} why=too_many_deferred", s.user().appId(), s.msgid());
      return;
    }
    try {
      later.schedule(() -> settleNow(s, attempt), DOUBT_DELAYS.get(attempt).toMillis(), TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) { // closing
      deferred.decrementAndGet();
    }
  }

  private void settleNow(Sent s, int attempt) {
    boolean last = attempt == DOUBT_DELAYS.size() - 1;
    try {
      if (learned(s)) {
        deferred.decrementAndGet();
        return;
      }
      DoubtSettler.Result r = doubts.settle(s.user(), s.templateId(), s.msgid(), s.errorCode(), !last);
      switch (r.effect()) {
        case IN_FLIGHT -> {
          defer(s, attempt + 1);
          return;
        }
        case SETTLED -> {
          count(s.errorCode() == 0 ? "settled_sent" : "settled_failed");
          log.info("event=doubt_settled requestId={} app={} errcode={} msgid={}", r.requestId().orElse("-"), s.user().appId(), s.errorCode(),
              s.msgid());
        }
        case REPEAT -> count("ignored");
        case NONE -> count("unsettled");
      }
    } catch (RuntimeException e) { // Redis away: tried again, up to the last attempt
      if (!last) {
        defer(s, attempt + 1);
        return;
      }
      count("unsettled");
      log.warn("event=sent_event_unsettled app={} msgid={} error={}", s.user().appId(), s.msgid(), e.toString());
    }
    deferred.decrementAndGet();
  }

  /** Stops the deferred settling (what is still waiting is dropped: its sends stay unknown). */
  void close() {
    later.shutdownNow();
  }

  private void count(String effect) {
    WxpushMeter.EVENTS_APPLIED.counter(meters, effect).increment();
  }
}
