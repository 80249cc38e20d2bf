package io.wxpush.worker.sender;

import io.wxpush.credentials.Credential;
import io.wxpush.credentials.CredentialKind;
import io.wxpush.credentials.CredentialPool;
import io.wxpush.credentials.PoolMember;
import io.wxpush.credentials.PoolSnapshot;
import io.wxpush.credentials.UserIndex;
import io.wxpush.push.PushRun;
import io.wxpush.redis.RedisKeys;
import static org.assertj.core.api.Assertions.assertThat;

import io.wxpush.redis.RedisEndpoint;
import io.wxpush.redis.RedisConnections;
import io.wxpush.testkit.RealServices;
import io.wxpush.testkit.TestEnv;
import io.wxpush.user.UserRef;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.UnifiedJedis;

@ExtendWith(RealServices.class)
class CredentialPoolIT {
  private static final String APP = "wxapp1";
  private final AtomicLong now = new AtomicLong(Instant.parse("2026-11-01T00:00:00Z").toEpochMilli());
  private final Clock clock = new Clock() {
    @Override public ZoneOffset getZone() { return ZoneOffset.UTC; }
    @Override public Clock withZone(ZoneId zone) { return this; }
    @Override public Instant instant() { return Instant.ofEpochMilli(now.get()); }
  };
  private UnifiedJedis redis;
  private CredentialPool pool;
  private SendLedger ledger;

  @BeforeEach
  void open(TestEnv env) {
    redis = RedisConnections.open(RedisEndpoint.parse(env.redisUrl()), 16);
    pool = new CredentialPool(redis, new RedisKeys(env.redisKeyPrefix()), clock, 200);
    ledger = new SendLedger(redis, null, pool.keys(), clock, Duration.ofSeconds(60), Duration.ofDays(8));
  }

  /** The credential a push claims for a user (through the send ledger), if the pool has one. */
  private Optional<PoolMember> claim(UserRef user, String requestId, String templateId) {
    return claim(ledger, user, requestId, templateId);
  }

  private static Optional<PoolMember> claim(SendLedger ledger, UserRef user, String requestId, String templateId) {
    return ledger.claim(user, new PushRun(requestId, System.currentTimeMillis() + 86_400_000L, 1), templateId)
        .entry().credential();
  }

  @AfterEach
  void close() {
    redis.close();
  }

  @Test
  void aLongTermTemplatesAcceptsAreOneStandingPermissionThatClaimsUseAndARejectEnds() {
    // Redis's own clock expires a revoked permission's mark: this test runs on the real one
    Clock real = Clock.systemUTC();
    CredentialPool lt = new CredentialPool(redis, pool.keys(), real, 200, CredentialPool.DEFAULT_GRANT_TEMPLATES, n -> { }, a -> 0,
        (a, t) -> t.equals("TPL_LONG"));
    SendLedger ltLedger = new SendLedger(redis, null, pool.keys(), real, Duration.ofSeconds(60), Duration.ofDays(8), (a, t) -> t.equals("TPL_LONG"));
    UserRef user = new UserRef(APP, "o-long");
    long t0 = real.millis() - 120_000;
    Credential first = Credential.of(APP, "o-long", CredentialKind.SUBSCRIPTION, "acc-1", "TPL_LONG", t0);
    assertThat(lt.addAll(List.of(first, Credential.of(APP, "o-long", CredentialKind.SUBSCRIPTION, "acc-2", "TPL_LONG", t0 + 1000))))
        .as("two accepts, one permission").isEqualTo(1);
    assertThat(lt.addAll(List.of(first))).as("a redelivered upload adds nothing").isZero();
    assertThat(lt.inspect(user).longTerm()).containsExactly("TPL_LONG");
    assertThat(lt.inspect(user).grants()).isEmpty();

    for (int i = 0; i < 3; i++) {
      assertThat(claim(ltLedger, user, "push-lt-" + i, "TPL_LONG")).map(PoolMember::member).contains(PoolMember.standing("TPL_LONG"));
    }
    assertThat(lt.inspect(user).longTerm()).as("used three times, never spent").containsExactly("TPL_LONG");

    assertThat(lt.dropGrants(user, "TPL_LONG")).isEqualTo(1);
    assertThat(lt.inspect(user).longTerm()).isEmpty();
    assertThat(claim(ltLedger, user, "push-lt-after", "TPL_LONG")).isEmpty();
    assertThat(lt.addAll(List.of(first))).as("an accept collected before the reject, arriving late, stays rejected").isZero();
    assertThat(lt.addAll(List.of(Credential.of(APP, "o-long", CredentialKind.SUBSCRIPTION, "acc-3", "TPL_LONG", real.millis() + 2000))))
        .as("a new accept after the reject grants it again").isEqualTo(1);
    assertThat(lt.inspect(user).longTerm()).containsExactly("TPL_LONG");
  }

  @Test
  void aOneTimeGrantStoredBeforeTheTemplateWasKnownLongTermBecomesThePermissionOnFirstUse() {
    UserRef user = new UserRef(APP, "o-early");
    pool.addAll(List.of(Credential.of(APP, "o-early", CredentialKind.SUBSCRIPTION, "acc-1", "TPL_LONG", now.get())));
    assertThat(pool.inspect(user).grants()).containsEntry("TPL_LONG", 1);
    SendLedger ltLedger = new SendLedger(redis, null, pool.keys(), clock, Duration.ofSeconds(60), Duration.ofDays(8), (a, t) -> t.equals("TPL_LONG"));

    assertThat(claim(ltLedger, user, "push-early-1", "TPL_LONG")).map(PoolMember::member).contains(PoolMember.standing("TPL_LONG"));
    assertThat(claim(ltLedger, user, "push-early-2", "TPL_LONG")).map(PoolMember::member).contains(PoolMember.standing("TPL_LONG"));
    assertThat(pool.inspect(user).grants()).as("the one-time grant became the permission").isEmpty();
  }

  private Credential form(String openId, String value, long collectedAt) {
    return Credential.of(APP, openId, CredentialKind.FORM_ID, value, null, collectedAt);
  }

  @Test
  void eightConcurrentClaimersNeverReceiveTheSameCredential() throws Exception {
    UserRef user = new UserRef(APP, "o-concurrent");
    List<Credential> upload = new ArrayList<>();
    for (int i = 0; i < 60; i++) upload.add(form(user.openId(), "form" + i, now.get() - i * 1000L));
    for (int i = 0; i < 10; i++) upload.add(Credential.of(APP, user.openId(), CredentialKind.PREPAY_ID, "prepay" + i, null, now.get()));
    assertThat(pool.addAll(upload)).isEqualTo(60 + 10 * 3);

    ConcurrentLinkedQueue<String> claimed = new ConcurrentLinkedQueue<>();
    CountDownLatch go = new CountDownLatch(1);
    ExecutorService threads = Executors.newFixedThreadPool(8);
    List<Future<?>> futures = new ArrayList<>();
    AtomicLong request = new AtomicLong();
    for (int t = 0; t < 8; t++) {
      futures.add(threads.submit(() -> {
        go.await();
        for (int i = 0; i < 10; i++) {
          claim(user, "push-" + request.incrementAndGet(), null).ifPresent(c -> claimed.add(c.member()));
        }
        return null;
      }));
    }
    go.countDown();
    for (Future<?> f : futures) f.get();
    threads.shutdown();

    assertThat(claimed).hasSize(80).doesNotHaveDuplicates();
    PoolSnapshot left = pool.inspect(user);
    assertThat(claimed.size() + left.sendsLeft()).isEqualTo(60 + 30);
    // the soonest-expiring are spent first: the oldest form_ids went before any fresher one
    assertThat(claimed).contains("f:form59", "f:form58");
  }

  @Test
  void redeliveredUploadsChangeNothingAndSpentEntriesDoNotComeBack() {
    UserRef user = new UserRef(APP, "o-idem");
    List<Credential> batch = List.of(form(user.openId(), "a", now.get()), form(user.openId(), "b", now.get() + 1));
    assertThat(pool.addAll(batch)).isEqualTo(2);
    assertThat(pool.addAll(batch)).isZero();
    PoolMember first = claim(user, "push-1", null).orElseThrow();
    assertThat(first.value()).isEqualTo("a");
    assertThat(pool.addAll(batch)).isZero(); // "a" was handed out: a redelivered record must not restore it
    assertThat(pool.inspect(user).formIds()).isEqualTo(1);
  }

  @Test
  void weChatShapedIdsAreStoredCompactlyAndClaimedAsUploadedWhileOtherShapesStayAsTheyAre() {
    UserRef user = new UserRef(APP, "o-real-ids");
    String formId = "9a8b7c6d5e4f30211203f4e5d6c7b8a9";
    String prepayId = "wx201410272009395522657a690389285100";
    String upper = "9A8B7C6D5E4F30211203F4E5D6C7B8A9";
    List<Credential> upload = List.of(form(user.openId(), formId, now.get() - 3000), form(user.openId(), upper, now.get() - 2000),
        Credential.of(APP, user.openId(), CredentialKind.PREPAY_ID, prepayId, null, now.get() - 1000));
    assertThat(pool.addAll(upload)).isEqualTo(1 + 1 + 3);
    assertThat(pool.addAll(upload)).as("a redelivered upload meets its own members").isZero();
    List<String> members = redis.zrange(pool.keys().templatePool(user), 0, -1);
    assertThat(members).contains("f:" + upper).noneMatch(m -> m.contains(formId) || m.contains(prepayId.substring(2)));
    assertThat(members.stream().mapToInt(String::length).sum()).as("21 + 34 + 3 x 25 characters")
        .isEqualTo(21 + 34 + 3 * 25);

    List<String> claimed = new ArrayList<>();
    // one fresher entry stays live, so the key keeps its spent marks (this test's clock is behind Redis's)
    assertThat(pool.addAll(List.of(form(user.openId(), "fresher", now.get())))).isOne();
    for (int i = 0; i < 5; i++) claimed.add(claim(user, "push-real-" + i, null).orElseThrow().value());
    assertThat(claimed).containsExactly(formId, upper, prepayId, prepayId, prepayId);
    assertThat(pool.addAll(upload)).as("spent: a redelivered upload does not bring them back").isZero();
    assertThat(claim(user, "push-real-5", null)).map(PoolMember::value).contains("fresher");
  }

  @Test
  void aWeChatShapedFormIdStoredBeforeTheCompactFormIsStillClaimedAsItWas() {
    UserRef user = new UserRef(APP, "o-real-legacy");
    String formId = "00112233445566778899aabbccddeeff";
    redis.zadd(pool.keys().templatePool(user), (now.get() + Duration.ofDays(6).toMillis()) / 1000, "f:" + formId);
    assertThat(claim(user, "push-legacy", null)).map(PoolMember::value).contains(formId);
  }

  @Test
  void expiredEntriesAreNeverClaimedAndFutureTimesAreKept() {
    UserRef user = new UserRef(APP, "o-expiry");
    long sixDaysAgo = now.get() - Duration.ofDays(6).toMillis();
    pool.addAll(List.of(form(user.openId(), "old", sixDaysAgo), form(user.openId(), "new", now.get())));
    now.addAndGet(Duration.ofDays(1).toMillis()); // "old" is now past its 7 days
    PoolMember claim = claim(user, "push-1", null).orElseThrow();
    assertThat(claim.value()).isEqualTo("new");
    assertThat(claim(user, "push-2", null)).isEmpty();
  }

  @Test
  void grantsAreSpentOnlyForTheirTemplate() {
    UserRef user = new UserRef(APP, "o-grants");
    pool.addAll(List.of(
        Credential.of(APP, user.openId(), CredentialKind.SUBSCRIPTION, "g1", "TPL_A", now.get()),
        Credential.of(APP, user.openId(), CredentialKind.SUBSCRIPTION, "g2", "TPL_B", now.get())));
    assertThat(pool.inspect(user).grants()).containsEntry("TPL_A", 1).containsEntry("TPL_B", 1);
    assertThat(claim(user, "p1", "TPL_A")).map(PoolMember::value).contains("g1");
    assertThat(claim(user, "p2", "TPL_A")).isEmpty();
    assertThat(claim(user, "p3", null)).isEmpty();
    assertThat(pool.inspect(user).grants()).containsOnlyKeys("TPL_B");
  }

  @Test
  void thePerUserCapKeepsTheFreshest() {
    CredentialPool small = new CredentialPool(redis, pool.keys(), clock, 3);
    SendLedger smallLedger = new SendLedger(redis, null, pool.keys(), clock, Duration.ZERO, Duration.ofDays(8));
    UserRef user = new UserRef(APP, "o-cap");
    List<Credential> batch = new ArrayList<>();
    for (int i = 0; i < 5; i++) batch.add(form(user.openId(), "c" + i, now.get() - (5 - i) * 1000L));
    small.addAll(batch);
    List<String> values = new ArrayList<>();
    Optional<PoolMember> c;
    int n = 0;
    while ((c = claim(smallLedger, user, "p" + n++, null)).isPresent()) values.add(c.get().value());
    assertThat(values).containsExactly("c2", "c3", "c4");
  }

  @Test
  void theIndexPagesThroughUsersInAStableResumableOrder() {
    List<Credential> batch = new ArrayList<>();
    for (int i = 0; i < 300; i++) batch.add(form(String.format("o%04d", i), "v" + i, now.get()));
    pool.addAll(batch);
    List<String> seen = new ArrayList<>();
    int shard = 0;
    String after = null;
    List<UserIndex.Indexed> page;
    int lastShard = -1;
    String last = "";
    while (!(page = pool.index().indexPageAcross(APP, null, shard, after, 17)).isEmpty()) {
      for (UserIndex.Indexed e : page) {
        // shard after shard, openId order within one
        assertThat(e.shard() > lastShard || (e.shard() == lastShard && e.openId().compareTo(last) > 0)).isTrue();
        assertThat(e.shard()).isEqualTo(RedisKeys.shardOf(e.openId()));
        lastShard = e.shard();
        last = e.openId();
        seen.add(e.openId());
      }
      shard = page.getLast().shard();
      after = page.getLast().openId();
    }
    Collections.sort(seen);
    assertThat(seen).hasSize(300).doesNotHaveDuplicates();
    assertThat(pool.index().indexSize(APP, null)).isEqualTo(300);
    // an emptied, expired pool leaves the index on the sweep of its shard
    now.addAndGet(Duration.ofDays(8).toMillis());
    CredentialPool.ShardSweep swept = pool.sweepShard(APP, null, RedisKeys.shardOf("o0000"));
    assertThat(swept.dropped()).isEqualTo(swept.users()).isPositive();
    assertThat(swept.leftIndex()).isEqualTo(swept.users());
    assertThat(pool.index().indexPage(APP, null, RedisKeys.shardOf("o0000"), null, 1000)).doesNotContain("o0000");
    assertThat(redis.exists(pool.keys().templatePool(new UserRef(APP, "o0000")))).as("nothing left: the key is gone").isFalse();
  }

  /** {@code n} openIds that share one index shard. */
  private static List<String> sameShard(String prefix, int n) {
    int target = RedisKeys.shardOf(prefix + 0);
    List<String> ids = new ArrayList<>();
    for (int i = 0; ids.size() < n; i++) if (RedisKeys.shardOf(prefix + i) == target) ids.add(prefix + i);
    return ids;
  }

  @Test
  void withinAShardScoredByExpiryTheIndexStillPagesInOpenIdOrder() {
    List<String> ids = sameShard("s", 12);
    List<Credential> batch = new ArrayList<>();
    for (int i = 0; i < ids.size(); i++) batch.add(form(ids.get(i), "v" + i, now.get() - (ids.size() - i) * 3_600_000L));
    Collections.shuffle(batch, new Random(7));
    pool.addAll(batch);
    List<String> seen = new ArrayList<>();
    int shard = 0;
    String after = null;
    List<UserIndex.Indexed> page;
    while (!(page = pool.index().indexPageAcross(APP, null, shard, after, 5)).isEmpty()) {
      page.forEach(e -> seen.add(e.openId()));
      shard = page.getLast().shard();
      after = page.getLast().openId();
    }
    List<String> sorted = new ArrayList<>(ids);
    Collections.sort(sorted);
    assertThat(seen).containsExactlyElementsOf(sorted);
  }

  @Test
  void theRecallReadsOnlyUsersExpiringInTheWindowAndCorrectsAStaleBound() {
    long t = now.get();
    long sixAndHalfDays = Duration.ofHours(156).toMillis();
    pool.addAll(List.of(form("exp-old", "a1", t - sixAndHalfDays), form("exp-fresh", "b1", t),
        form("exp-spent", "c1", t - sixAndHalfDays), form("exp-spent", "c2", t)));
    UserRef spent = new UserRef(APP, "exp-spent");
    assertThat(claim(spent, "p1", null)).map(PoolMember::value).contains("c1"); // its soonest is fresh now; the index still says soon
    long by = (t + Duration.ofDays(1).toMillis()) / 1000;
    assertThat(pool.index().expiringCount(APP, by)).as("an upper bound: the stale user counts").isEqualTo(2);

    UserIndex.ExpiringPage page = pool.index().expiringPageAcross(APP, 0, null, by, 100);
    assertThat(page.users()).extracting(UserIndex.Indexed::openId).containsExactly("exp-old");
    assertThat(page.read()).isEqualTo(2);
    assertThat(pool.index().indexedExpiry(APP, "exp-spent")).as("the bound was made exact")
        .contains((t + Duration.ofDays(7).toMillis()) / 1000);
    assertThat(pool.index().expiringCount(APP, by)).isEqualTo(1);

    // an upload only ever lowers the bound; a sweep sets it to the pool's soonest again
    pool.addAll(List.of(form("exp-fresh", "b0", t - sixAndHalfDays)));
    assertThat(pool.index().indexedExpiry(APP, "exp-fresh")).contains((t - sixAndHalfDays + Duration.ofDays(7).toMillis()) / 1000);
    pool.addAll(List.of(form("exp-fresh", "b2", t)));
    assertThat(pool.index().indexedExpiry(APP, "exp-fresh")).contains((t - sixAndHalfDays + Duration.ofDays(7).toMillis()) / 1000);
    now.addAndGet(Duration.ofHours(13).toMillis()); // b0 has expired
    pool.sweepShard(APP, null, RedisKeys.shardOf("exp-fresh"));
    assertThat(pool.index().indexedExpiry(APP, "exp-fresh")).contains((t + Duration.ofDays(7).toMillis()) / 1000);
  }

  @Test
  void aBatchCountsEveryNewEntryWhenOneNodeHasForgottenTheScript() {
    // 40 users: their pools spread over every slot range, so over every node of a Redis Cluster
    List<Credential> first = new ArrayList<>();
    List<Credential> second = new ArrayList<>();
    for (int u = 0; u < 40; u++) {
      first.add(form("o-flush" + u, "first" + u, now.get()));
      second.add(form("o-flush" + u, "second" + u, now.get()));
    }
    assertThat(pool.addAll(first)).isEqualTo(40);
    // One node forgets its scripts, as after its restart (on a single server: the server). On a
    // cluster the other nodes still run the batch's calls by SHA; only the forgotten ones are
    // sent again, so the entries of the others are counted as new, not as already there.
    redis.scriptFlush(pool.keys().templatePool(new UserRef(APP, "o-flush0")));
    assertThat(pool.addAll(second)).isEqualTo(40);
    assertThat(pool.addAll(second)).isZero();
    assertThat(pool.inspect(new UserRef(APP, "o-flush39")).formIds()).isEqualTo(2);
  }

  @Test
  void aMixedBatchCountsEachNewLiveEntryOnceAndIndexesEveryUser() {
    List<Credential> batch = new ArrayList<>();
    long eightDaysAgo = now.get() - Duration.ofDays(8).toMillis();
    for (int u = 0; u < 20; u++) {
      String openId = "o-mix" + u;
      batch.add(form(openId, "a" + u, now.get()));
      batch.add(form(openId, "a" + u, now.get())); // redelivered within the batch
      batch.add(form(openId, "old" + u, eightDaysAgo)); // expired: not stored
      batch.add(Credential.of(APP, openId, CredentialKind.PREPAY_ID, "p" + u, null, now.get()));
      batch.add(Credential.of(APP, openId, CredentialKind.SUBSCRIPTION, "g" + u, "TPL_M", now.get()));
    }
    UserRef many = new UserRef(APP, "o-many"); // more entries than one script call carries
    for (int i = 0; i < 450; i++) batch.add(form(many.openId(), "m" + i, now.get() + i));
    CredentialPool big = new CredentialPool(redis, pool.keys(), clock, 1000);

    assertThat(big.addAll(batch)).isEqualTo(20 * (1 + 3 + 1) + 450);
    assertThat(big.addAll(batch)).isZero();
    assertThat(big.inspect(new UserRef(APP, "o-mix7"))).satisfies(s -> {
      assertThat(s.formIds()).isEqualTo(1);
      assertThat(s.sendsLeft()).isEqualTo(4);
      assertThat(s.grants()).containsEntry("TPL_M", 1);
    });
    assertThat(big.inspect(many).formIds()).isEqualTo(450);
    List<String> indexed = new ArrayList<>();
    List<String> granted = new ArrayList<>();
    for (int shard = 0; shard < RedisKeys.INDEX_SHARDS; shard++) {
      indexed.addAll(big.index().indexPage(APP, null, shard, null, 1000));
      granted.addAll(big.index().indexPage(APP, "TPL_M", shard, null, 1000));
    }
    assertThat(indexed).contains("o-many", "o-mix0", "o-mix19").doesNotHaveDuplicates();
    assertThat(granted).hasSize(20);
  }

  @Test
  void aUserHoldsGrantsOfAtMostTheCappedNumberOfTemplatesAndSpentOnesMakeRoom(TestEnv env) {
    AtomicInteger refused = new AtomicInteger();
    CredentialPool capped = new CredentialPool(redis, pool.keys(), clock, 200, 2, refused::addAndGet);
    UserRef user = new UserRef(APP, "o-cap");
    BiFunction<String, String, Credential> grant =
        (template, value) -> Credential.of(APP, user.openId(), CredentialKind.SUBSCRIPTION, value, template, now.get());

    assertThat(capped.addAll(List.of(grant.apply("T1", "g1"), grant.apply("T2", "g2")))).isEqualTo(2);
    assertThat(capped.addAll(List.of(grant.apply("T3", "g3"), grant.apply("T3", "g4")))).as("a third template").isZero();
    assertThat(refused.get()).isEqualTo(2);
    assertThat(redis.exists(pool.keys().grants(user, "T3"))).as("no pool made for it").isFalse();
    assertThat(capped.addAll(List.of(grant.apply("T1", "g5")))).as("a template the user holds takes more").isEqualTo(1);

    // the user spends every T2 grant: T2 no longer counts
    assertThat(claim(user, "r-spend", "T2")).isPresent();
    assertThat(capped.addAll(List.of(grant.apply("T3", "g6")))).isEqualTo(1);
    assertThat(capped.inspect(user).grants()).containsOnlyKeys("T1", "T3");
    assertThat(redis.pttl(pool.keys().userGrantTemplates(user))).as("the set has a TTL").isPositive();
  }
}
