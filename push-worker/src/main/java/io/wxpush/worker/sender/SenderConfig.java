package io.wxpush.worker.sender;

import io.wxpush.config.CommonConfig;
import io.wxpush.token.TokenManager;
import java.time.Duration;

/**
 * What the sender role reads of the worker's settings (declared in {@link io.wxpush.config.Setting}).
 *
 * @param mode {@code SENDER_MODE}: {@code share} or {@code classic}
 * @param concurrency {@code SENDER_CONCURRENCY}   @param consumers {@code SENDER_CONSUMERS}
 * @param ratePerApp {@code SEND_RATE_PER_APP} (0: none)   @param maxAttempts {@code SEND_MAX_ATTEMPTS}
 * @param maxDeliveries {@code TASK_MAX_DELIVERIES}
 * @param taskLock {@code TASK_LOCK}: set on the share group as its record lock (the broker's own
 *     figure, read with each poll, wins); every task is done or handed back 2 s before it runs out
 * @param tokenEndpoint {@code TOKEN_ENDPOINT}   @param ledgerGrace {@code LEDGER_GRACE}
 */
public record SenderConfig(
    CommonConfig common,
    String mode,
    int concurrency,
    int consumers,
    int ratePerApp,
    int maxAttempts,
    int maxDeliveries,
    Duration taskLock,
    TokenManager.Endpoint tokenEndpoint,
    Duration ledgerGrace) {}
