package io.wxpush.ingest.quota;

import static org.assertj.core.api.Assertions.assertThat;

import io.wxpush.client.PushRequest;
import io.wxpush.credentials.Credential;
import io.wxpush.credentials.CredentialKind;
import io.wxpush.credentials.CredentialPool;
import io.wxpush.quota.Quota;
import io.wxpush.quota.QuotaStore;
import io.wxpush.redis.RedisConnections;
import io.wxpush.redis.RedisEndpoint;
import io.wxpush.redis.RedisKeys;
import io.wxpush.testkit.RealServices;
import io.wxpush.testkit.TestEnv;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.UnifiedJedis;

/** A push's {@code audience_exceeds_quota} warning, against the quota and the user index in a real Redis. */
@ExtendWith(RealServices.class)
class QuotaWarningsIT {
  private static final String APP = "wxapp1";
  private static final List<String> WARNED = List.of(QuotaWarnings.AUDIENCE_EXCEEDS_QUOTA);
  private final Clock clock = Clock.systemUTC();
  private UnifiedJedis redis;
  private RedisKeys keys;
  private QuotaWarnings warnings;

  @BeforeEach
  void open(TestEnv env) {
    redis = RedisConnections.open(RedisEndpoint.parse(env.redisUrl()), 8);
    keys = new RedisKeys(env.redisKeyPrefix());
    warnings = new QuotaWarnings(new QuotaStore(redis, keys), new CredentialPool(redis, keys, clock, 200).index(), clock);
  }

  @AfterEach
  void close() {
    redis.del(keys.quota(APP));
    redis.close();
  }

  private void remain(long left) {
    new QuotaStore(redis, keys).store(APP, new Quota(1000, 1000 - left, left, Optional.empty(), clock.millis()), Duration.ofMinutes(30));
  }

  private static PushRequest.Builder subscribe() {
    return PushRequest.subscribe(APP, "TPL_SUB").data("thing1", "sale");
  }

  @Test
  void aListedAudienceLargerThanWhatIsLeftIsWarnedAndOneThatFitsIsNot() {
    remain(2);
    assertThat(warnings.apply(subscribe().toUsers("o1", "o2", "o3").build())).isEqualTo(WARNED);
    assertThat(warnings.apply(subscribe().toUsers("o1", "o2").build())).isEmpty();
  }

  @Test
  void nothingIsWarnedWhileTheQuotaIsUnknownNorForATemplatePushWhoseApiItDoesNotCount() {
    assertThat(warnings.apply(subscribe().toUsers("o1", "o2", "o3").build())).as("no quota read yet").isEmpty();
    remain(0);
    assertThat(warnings.apply(PushRequest.template(APP, "TPL_ORDER").data("keyword1", "x").toUsers("o1").build())).isEmpty();
  }

  @Test
  void everyoneIsCountedFromTheTemplatesGrantIndex() {
    long now = clock.millis();
    new CredentialPool(redis, keys, clock, 200).addAll(List.of(
        Credential.of(APP, "g1", CredentialKind.SUBSCRIPTION, "grant-1", "TPL_SUB", now),
        Credential.of(APP, "g2", CredentialKind.SUBSCRIPTION, "grant-2", "TPL_SUB", now),
        Credential.of(APP, "g3", CredentialKind.SUBSCRIPTION, "grant-3", "TPL_SUB", now)));
    remain(2);
    assertThat(warnings.apply(subscribe().toEveryone().build())).isEqualTo(WARNED);
    remain(3);
    QuotaWarnings fresh = new QuotaWarnings(new QuotaStore(redis, keys), new CredentialPool(redis, keys, clock, 200).index(), clock);
    assertThat(fresh.apply(subscribe().toEveryone().build())).isEmpty();
  }
}
