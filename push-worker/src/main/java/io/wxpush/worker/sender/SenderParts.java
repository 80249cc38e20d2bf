package io.wxpush.worker.sender;

import io.wxpush.push.PushStatusStore;
import io.wxpush.templates.TemplateRegistry;
import io.wxpush.token.TokenManager;
import io.wxpush.wechat.WeChatClient;
import io.wxpush.worker.loop.Backoff;
import java.time.Clock;
import java.time.Duration;

/**
 * What every delivery of a task uses, shared by the sender's process: the stores, WeChat, the
 * app-wide pauses and limits, {@link SendPolicy}, and the timings. Immutable (its parts are thread-safe).
 *
 * @param lease how long an attempt holds its ledger entry: longer than {@code attemptBudget}
 * @param attemptBudget how long one try may take at most (the WeChat time-out plus the ledger steps)
 * @param ledgerGrace {@code LEDGER_GRACE}, for a version-1 task's run stamp
 */
record SenderParts(SendLedger ledger, PushStatusStore status, TokenManager tokens, WeChatClient weChat, AppPause pauses,
    SendRateLimiter rateLimiter, Outcomes outcomes, SenderMeters meters, SendPolicy policy, Backoff backoff, Duration lease,
    Duration attemptBudget, Duration ledgerGrace, Clock clock, TemplateRegistry templates, SpendRules rules, PushGate gate,
    StopCache stops) {

  SenderParts {
    if (lease.compareTo(attemptBudget) <= 0) throw new IllegalArgumentException("the lease must outlast one attempt");
  }
}
