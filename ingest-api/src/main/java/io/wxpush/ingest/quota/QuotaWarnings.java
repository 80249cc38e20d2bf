package io.wxpush.ingest.quota;

import io.wxpush.client.PushRequest;
import io.wxpush.credentials.UserIndex;
import io.wxpush.quota.Quota;
import io.wxpush.quota.QuotaStore;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a push's 202 warns of: {@code audience_exceeds_quota} when a subscribe push's audience is
 * larger than what WeChat last said is left of the app's subscribe-send quota today. The push is
 * accepted all the same; the senders pause at the first 45009. No warning while the quota is
 * unknown (not read yet, or Redis away). The audience is the listed openIds, or for
 * {@code all}/{@code expiringWithin} a count from the user index (a pipelined count per shard),
 * reused for {@value #COUNT_SECONDS} s per app and template. Thread-safe.
 */
public final class QuotaWarnings implements Function<PushRequest, List<String>> {
  public static final String AUDIENCE_EXCEEDS_QUOTA = "audience_exceeds_quota";
  static final int COUNT_SECONDS = 30;

  private static final Logger log = LoggerFactory.getLogger(QuotaWarnings.class);

  private final QuotaStore quotas;
  private final UserIndex index;
  private final Clock clock;
  private final Map<IndexAudience, Counted> counts = new ConcurrentHashMap<>();

  /** An audience counted from the index: everyone holding a grant of {@code templateId}, or the recall window's users. */
  private record IndexAudience(String appId, String templateId, Duration expiringWithin) {}

  private record Counted(long users, long atMs) {}

  /**
   * @param index the user index; an everyone-push is counted in the index it reads
   *     ({@link UserIndex#everyoneIndex}: for a long-term template every user of the form_id/prepay_id
   *     index, where its holders are — an upper bound)
   */
  public QuotaWarnings(QuotaStore quotas, UserIndex index, Clock clock) {
    this.quotas = quotas;
    this.index = index;
    this.clock = clock;
  }

  @Override
  public List<String> apply(PushRequest push) {
    if (!"subscribe".equals(push.kind())) return List.of(); // quota/get is read for the subscribe send
    try {
      Optional<Quota> quota = quotas.read(push.appId());
      if (quota.isEmpty()) return List.of();
      long remain = quota.get().remain();
      PushRequest.Audience audience = push.audience();
      if (audience.openIds() != null && audience.openIds().size() <= remain) return List.of(); // the common case: no count needed
      return audienceSize(push) > remain ? List.of(AUDIENCE_EXCEEDS_QUOTA) : List.of();
    } catch (RuntimeException e) { // the push is accepted; only its warning is lost
      log.warn("event=quota_warning_failed app={} error={}", push.appId(), e.toString());
      return List.of();
    }
  }

  private long audienceSize(PushRequest push) {
    PushRequest.Audience audience = push.audience();
    if (audience.openIds() != null) return audience.openIds().size();
    long now = clock.millis();
    if (audience.expiring()) {
      Duration window = audience.expiringWindow();
      return counted(new IndexAudience(push.appId(), null, window), now,
          () -> index.expiringCount(push.appId(), (now + window.toMillis()) / 1000));
    }
    String indexed = index.everyoneIndex(push.appId(), push.templateId());
    return counted(new IndexAudience(push.appId(), indexed, null), now, () -> index.indexSize(push.appId(), indexed));
  }

  private long counted(IndexAudience key, long now, LongSupplier count) {
    Counted c = counts.get(key);
    if (c != null && now - c.atMs() < COUNT_SECONDS * 1000L && now >= c.atMs()) return c.users();
    long users = count.getAsLong();
    counts.put(key, new Counted(users, now));
    return users;
  }
}
