package io.wxpush.credentials;

import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What one user's pools hold right now (live entries only).
 *
 * @param formIds live form_ids
 * @param prepayIds distinct live prepay_ids (each may have up to three sends left)
 * @param sendsLeft template sends left: form_ids plus the prepay_ids' remaining uses
 * @param soonestExpiry the earliest expiry among them, epoch ms
 * @param grants subscribe template id → grants left (one-time templates)
 * @param longTerm long-term templates the user holds a standing permission for
 */
public record PoolSnapshot(
    String appId, String openId, int formIds, int prepayIds, int sendsLeft, Optional<Long> soonestExpiry, Map<String, Integer> grants, Set<String> longTerm) {}
