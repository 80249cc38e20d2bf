package io.wxpush.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.wxpush.user.UserRef;
import java.util.Map;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;

class RedisKeysTest {
  private final RedisKeys keys = new RedisKeys("wxpush:");
  private final UserRef user = new UserRef("wxapp1", "o_1-a");

  @Test
  void everyKeyBelongsToExactlyItsOwnFamilyAndSharesTheHashTagOfWhatItBelongsTo() {
    Map<String, RedisKeys.Family> built = Map.ofEntries(
        Map.entry(keys.templatePool(user), RedisKeys.Family.POOL),
        Map.entry(keys.grants(user, "TPL_1"), RedisKeys.Family.GRANTS),
        Map.entry(keys.grantTemplates("wxapp1"), RedisKeys.Family.GRANT_TEMPLATES),
        Map.entry(keys.userGrantTemplates(user), RedisKeys.Family.USER_GRANT_TEMPLATES),
        Map.entry(keys.templates("wxapp1"), RedisKeys.Family.TEMPLATES),
        Map.entry(keys.messageIds("wxapp1", 4095, 493_000), RedisKeys.Family.MESSAGE_IDS),
        Map.entry(keys.templatesGone("wxapp1"), RedisKeys.Family.TEMPLATES_GONE),
        Map.entry(keys.templatesLock("wxapp1"), RedisKeys.Family.TEMPLATES_LOCK),
        Map.entry(keys.quota("wxapp1"), RedisKeys.Family.QUOTA),
        Map.entry(keys.quotaLock("wxapp1"), RedisKeys.Family.QUOTA_LOCK),
        Map.entry(keys.pushSeq("wxapp1"), RedisKeys.Family.PUSH_SEQ),
        Map.entry(keys.schedule("wxapp1"), RedisKeys.Family.SCHEDULE),
        Map.entry(keys.pushList("wxapp1"), RedisKeys.Family.PUSH_LIST),
        Map.entry(keys.callbacks("wxapp1"), RedisKeys.Family.CALLBACKS),
        Map.entry(keys.pushRetryable("wxapp1", "r1"), RedisKeys.Family.PUSH_RETRYABLE),
        Map.entry(keys.ledger(user), RedisKeys.Family.LEDGER),
        Map.entry(RedisKeys.inWindow(keys.uploads(user), 29_000_123), RedisKeys.Family.UPLOADS),
        Map.entry(keys.templateIndex("wxapp1", 15), RedisKeys.Family.TEMPLATE_INDEX),
        Map.entry(keys.grantIndex("wxapp1", 3, "TPL_1"), RedisKeys.Family.GRANT_INDEX),
        Map.entry(keys.pushStatus("wxapp1", "rid:with-odd.chars"), RedisKeys.Family.PUSH_STATUS),
        Map.entry(keys.pushReasons("wxapp1", "r1"), RedisKeys.Family.PUSH_REASONS),
        Map.entry(keys.pushOutcomes("wxapp1", "r1", 16383), RedisKeys.Family.PUSH_OUTCOMES),
        Map.entry(keys.pushRequest("wxapp1", "r1"), RedisKeys.Family.PUSH_REQUEST),
        Map.entry(keys.token("wxapp1"), RedisKeys.Family.TOKEN),
        Map.entry(keys.tokenLock("wxapp1"), RedisKeys.Family.TOKEN_LOCK),
        Map.entry(keys.pause("wxapp1"), RedisKeys.Family.PAUSE),
        Map.entry(keys.eventTaken("wxapp1", "0a".repeat(32)), RedisKeys.Family.EVENT_TAKEN),
        Map.entry(keys.policy("wxapp1"), RedisKeys.Family.POLICY),
        Map.entry(keys.quiet("wxapp1"), RedisKeys.Family.QUIET),
        Map.entry(keys.held("wxapp1", "r1", 4095), RedisKeys.Family.HELD),
        Map.entry(keys.heldBuckets("wxapp1", "r1"), RedisKeys.Family.HELD_BUCKETS),
        Map.entry(keys.fleet(), RedisKeys.Family.FLEET),
        Map.entry(keys.heartbeat("sender-fanout-1234-abc"), RedisKeys.Family.HEARTBEAT),
        Map.entry(RedisKeys.inWindow(keys.sendRate("wxapp1"), 1_700_000_000), RedisKeys.Family.SEND_RATE));
    assertThat(built).hasSize(RedisKeys.Family.values().length);
    built.forEach((key, family) -> {
      assertThat(key).startsWith("wxpush:");
      String rest = key.substring("wxpush:".length());
      assertThat(RedisKeys.Family.of(rest)).as(key).contains(family);
      for (RedisKeys.Family other : RedisKeys.Family.values()) {
        if (other != family) assertThat(other.matches(rest)).as(key + " is not " + other).isFalse();
      }
    });
    assertThat(keys.templatePool(user)).contains("{wxapp1:o_1-a}");
    assertThat(keys.ledger(user)).contains("{wxapp1:o_1-a}");
    assertThat(keys.userGrantTemplates(user)).contains("{wxapp1:o_1-a}");
    assertThat(RedisKeys.Family.of("something:else")).isEmpty();
  }

  @Test
  void everyKeyOfAPushCarriesItsAppFirstSoTwoAppsOfOneRequestIdNeverShareAKeyOrATag() {
    assertThat(keys.pushStatus("wxapp1", "order-1")).isEqualTo("wxpush:push{wxapp1:order-1}:s");
    assertThat(keys.pushRequest("wxapp1", "order-1")).isNotEqualTo(keys.pushRequest("wxapp2", "order-1"));
    String[] ofOnePush = {keys.pushStatus("wxapp1", "a:b"), keys.pushReasons("wxapp1", "a:b"), keys.pushOutcomes("wxapp1", "a:b", 7),
        keys.pushRetryable("wxapp1", "a:b"), keys.pushRequest("wxapp1", "a:b"), keys.held("wxapp1", "a:b", 3), keys.heldBuckets("wxapp1", "a:b")};
    for (String key : ofOnePush) assertThat(key).as("one slot per push").contains("{wxapp1:a:b}");
    // appIds hold no ':' (WECHAT_APPS splits on it): app "wxapp1" with id "a:b" cannot be app "wxapp1:a" with id "b"
    Assertions.assertThatThrownBy(() -> keys.pushStatus("wxapp1:a", "b")).isInstanceOf(IllegalArgumentException.class);
    assertThat(keys.legacyPushStatus("order-1")).isEqualTo("wxpush:push{order-1}:s");
  }
}
