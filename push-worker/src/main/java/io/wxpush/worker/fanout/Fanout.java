package io.wxpush.worker.fanout;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.wxpush.credentials.CredentialPool;
import io.wxpush.credentials.UserIndex;
import io.wxpush.kafka.AckedPublisher;
import io.wxpush.metrics.WxpushMeter;
import io.wxpush.policy.PolicyStore;
import io.wxpush.policy.QuietHolds;
import io.wxpush.client.PushRequest;
import io.wxpush.push.PushId;
import io.wxpush.push.PushRun;
import io.wxpush.push.PushState;
import io.wxpush.push.PushStatusStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns one push request into one task per user on {@code wxpush.push-tasks}, a page at a time:
 * listed users in the order given, everyone in the app's credential index (shard by shard, in
 * openId order), or the recall audience (the same, read by expiry). Only one page is ever in
 * memory. Inside the app's quiet hours a push that is not critical stops between pages and waits
 * ({@link QuietHolds}); its resume record brings it back here. After each page is acknowledged by Kafka,
 * the resume cursor and {@code targets} move together in one Redis script, so a fan-out that
 * crashes resumes at the page it was on; a republished page only duplicates tasks, which the
 * senders recognise, never targets or messages. Thread-safe if each request is run by one thread.
 */
public final class Fanout {
  private static final Logger log = LoggerFactory.getLogger(Fanout.class);

  private final CredentialPool pool;
  private final PushStatusStore status;
  private final AckedPublisher publisher;
  private final String tasksTopic;
  private final int pageSize;
  private final Counter pages;
  private final Counter tasks;

  private final Duration ledgerGrace;
  private final Clock clock;
  private final PolicyStore policies;
  private final QuietHolds quiet;

  /**
   * @param ledgerGrace {@code LEDGER_GRACE}: the run's horizon is the fan-out's start plus this
   * @param clock tells whether a push's {@code sendAt} has come
   * @param policies each app's policy: its quiet hours pause a push that is not critical between pages
   * @param quiet where paused pushes and held tasks wait for the end of quiet hours
   */
  public Fanout(CredentialPool pool, PushStatusStore status, AckedPublisher publisher, String tasksTopic, int pageSize,
      Duration ledgerGrace, Clock clock, MeterRegistry registry, PolicyStore policies, QuietHolds quiet) {
    this.policies = policies;
    this.quiet = quiet;
    this.ledgerGrace = ledgerGrace;
    this.clock = clock;
    this.pool = pool;
    this.status = status;
    this.publisher = publisher;
    this.tasksTopic = tasksTopic;
    this.pageSize = pageSize;
    this.pages = WxpushMeter.FANOUT_PAGES.counter(registry);
    this.tasks = WxpushMeter.FANOUT_TASKS.counter(registry);
  }

  /** Fans {@code request} out, resuming where an earlier run stopped; blocking. */
  public void run(PushRequest request) {
    String rid = request.requestId();
    PushId id = PushId.of(request);
    status.initStatus(request);
    status.describe(request); // a request published straight to Kafka: the API did not
    status.published(id); // it is on Kafka: a retry of its POST is a replay from now on
    status.retries().rememberMessage(request); // for POST …/retry, and for the tasks held in quiet hours
    if (request.scheduledAfter(clock.millis()) && !status.stop(id).stopped()) {
      status.schedule(request); // ScheduleDispatcher publishes it again when its time comes
      log.info("event=push_scheduled requestId={} sendAt={}", rid, request.sendAt());
      return;
    }
    PushStatusStore.FanoutProgress progress = status.fanoutProgress(id);
    if (progress.done()) {
      resumeHeld(request); // tasks senders held back in quiet hours (a resume record, or a republished request)
      log.info("event=fanout_skipped requestId={} why=already_done", rid);
      return;
    }
    Optional<Instant> waitUntil = quietUntil(request);
    if (waitUntil.isPresent()) { // before the run starts: its horizon runs from when it does
      pauseForQuiet(request, waitUntil.get(), progress.cursor());
      return;
    }
    String template = indexedBy(request);
    long expiresBy = request.audience().expiring() ? status.recallBy(id, clock.millis() + request.audience().expiringWindow().toMillis()) / 1000 : 0;
    long audience = request.audience().everyone() ? pool.index().indexSize(request.appId(), template)
        : request.audience().expiring() ? pool.index().expiringCount(request.appId(), expiresBy) : request.audience().openIds().size();
    PushRun run = status.startRun(id, ledgerGrace, PushRun.bucketsFor(audience));
    log.info("event=fanout_started requestId={} app={} audience={} run={} resume_from='{}'", rid, request.appId(),
        request.audience().everyone() ? "all" : request.audience().expiring() ? "expiring~" + audience : audience, run.id(), progress.cursor());
    releaseHeld(request, run);
    boolean finished;
    try {
      finished = request.audience().everyone() ? everyone(request, run, progress.cursor())
          : request.audience().expiring() ? expiring(request, run, progress.cursor(), expiresBy) : listed(request, run, progress.cursor());
    } catch (Cancelled c) {
      finished = true; // what was published is all there is: its tasks end as cancelled
    } catch (Quiet q) {
      pauseForQuiet(request, q.until, status.fanoutProgress(id).cursor());
      return;
    }
    if (finished) {
      PushState state = status.finishFanout(id);
      log.info("event=fanout_done requestId={} state={}", rid, state.wire());
    }
  }

  /**
   * A resume record (quiet hours ended for a waiting push): a fan-out that paused goes on from its
   * cursor; a finished one publishes its held tasks again.
   */
  public void resume(PushId requestId) {
    Optional<PushRequest> body = status.body(requestId);
    if (body.isPresent() && !status.fanoutProgress(requestId).done()) {
      run(body.get());
      return;
    }
    Optional<PushRequest> message = status.retries().message(requestId);
    if (message.isEmpty()) {
      log.warn("event=resume_skipped requestId={} why=no_message", requestId);
      return;
    }
    resumeHeld(message.get());
  }

  /** Publishes the held tasks of a push whose fan-out is done, unless quiet hours hold it still. */
  private void resumeHeld(PushRequest message) {
    String rid = message.requestId();
    PushId id = PushId.of(message);
    if (quiet.heldBuckets(id).isEmpty()) return;
    Optional<Instant> waitUntil = quietUntil(message);
    if (waitUntil.isPresent()) {
      quiet.pause(message.appId(), rid, waitUntil.get());
      return;
    }
    releaseHeld(message, status.startRun(id, ledgerGrace, 1)); // stamped already: the stamp as it is
  }

  /** When a push that is not critical must wait for its app's quiet hours to end, if now is inside them; notAfter passed: never. */
  private Optional<Instant> quietUntil(PushRequest request) {
    return quietUntil(request, status.stop(PushId.of(request)));
  }

  /** As above, with the push's stop marks already read. */
  private Optional<Instant> quietUntil(PushRequest request, PushStatusStore.Stop stop) {
    if (request.critical()) return Optional.empty();
    if (request.notAfter() != null && clock.millis() > request.notAfter()) return Optional.empty(); // it ends now as not_after
    if (stop.stopped()) return Optional.empty(); // it ends now as cancelled
    return policies.get(request.appId()).quietUntil(clock.instant());
  }

  private void pauseForQuiet(PushRequest request, Instant until, String cursor) {
    status.rememberBody(request); // the resume publishes the whole request again
    quiet.pause(request.appId(), request.requestId(), until);
    log.info("event=fanout_paused requestId={} why=quiet_hours resumesAt={} at='{}'", request.requestId(), until.toEpochMilli(), cursor);
  }

  /**
   * Publishes again the tasks senders held back in quiet hours, a bucket at a time, each user under
   * the run its task carried (a retry round's users under their round: the push's own run is final
   * for them); users held before runs were kept go under {@code pushRun}, the push's own.
   */
  private void releaseHeld(PushRequest message, PushRun pushRun) {
    String rid = message.requestId();
    PushId id = PushId.of(message);
    long n = 0;
    for (int bucket : quiet.heldBuckets(id)) {
      List<String> users = new ArrayList<>();
      List<ProducerRecord<String, byte[]>> records = new ArrayList<>();
      for (var held : quiet.heldByRun(id, bucket).entrySet()) {
        records.addAll(taskRecords(message, PushRun.parse(held.getKey()).orElse(pushRun), held.getValue()));
        users.addAll(held.getValue());
      }
      if (!records.isEmpty()) publisher.publishAll(records); // before they leave the bucket: a crash between publishes them twice, harmlessly
      quiet.released(id, bucket, users);
      n += users.size();
    }
    quiet.clearResume(id);
    if (n > 0) {
      tasks.increment(n);
      log.info("event=held_released requestId={} users={}", rid, n);
    }
  }

  /**
   * Runs retry round {@code round} of a push: its retryable users (dead-lettered, surely not sent)
   * get a task each under the round's own run id, so a user is sent at most once per round and a
   * redelivered retry record sends nobody twice. Each page: their failed outcomes taken back, the
   * tasks published, then the users taken off the retryable set.
   */
  public void retry(PushId requestId, long round) {
    var message = status.retries().message(requestId);
    if (message.isEmpty()) {
      log.warn("event=retry_skipped requestId={} why=no_message", requestId);
      return;
    }
    PushRun run = status.retries().retryRun(requestId, round, ledgerGrace);
    long n = 0;
    List<String> page;
    while (!(page = status.retries().retryablePage(requestId, pageSize)).isEmpty()) {
      if (status.retries().resetForRetry(requestId, run.outcomeBuckets(), page) < 0) { // cancelled, or failed as a request
        log.warn("event=retry_refused requestId={} round={} why=state", requestId, round);
        return;
      }
      List<ProducerRecord<String, byte[]>> records = taskRecords(message.get(), run, page);
      publisher.publishAll(records);
      status.retries().retried(requestId, page);
      n += page.size();
      tasks.increment(page.size());
    }
    log.info("event=retry_published requestId={} round={} users={}", requestId, round, n);
  }

  /** Quiet hours began: the fan-out stops before its next page and resumes when they end. */
  private static final class Quiet extends RuntimeException {
    final Instant until;

    Quiet(Instant until) {
      super(null, null, false, false);
      this.until = until;
    }
  }

  /** The push was cancelled: the fan-out stops before its next page. */
  private static final class Cancelled extends RuntimeException {
    Cancelled() {
      super(null, null, false, false);
    }
  }

  private boolean listed(PushRequest request, PushRun run, String cursor) {
    List<String> openIds = request.audience().openIds();
    int from = cursor.isEmpty() ? 0 : Integer.parseInt(cursor);
    for (int start = from; start < openIds.size(); start += pageSize) {
      List<String> page = openIds.subList(start, Math.min(openIds.size(), start + pageSize));
      if (!publishPage(request, run, cursor, Integer.toString(start + page.size()), page)) return false;
      cursor = Integer.toString(start + page.size());
    }
    return true;
  }

  /** Where a fan-out over the index shards resumes: {@code shard/lastOpenId}; {@code shard/} = the start of that shard; '' = the start. */
  private record ShardCursor(int shard, String after) {
    static ShardCursor parse(String cursor) {
      if (cursor.isEmpty()) return new ShardCursor(0, null);
      int slash = cursor.indexOf('/');
      return new ShardCursor(Integer.parseInt(cursor.substring(0, slash)), slash == cursor.length() - 1 ? null : cursor.substring(slash + 1));
    }
  }

  /** The index an everyone-push of {@code request} reads ({@link UserIndex#everyoneIndex}). */
  private String indexedBy(PushRequest request) {
    return request.subscribe() ? pool.index().everyoneIndex(request.appId(), request.templateId()) : null;
  }

  /** Cursor form: {@link ShardCursor}. A page may span shards. */
  private boolean everyone(PushRequest request, PushRun run, String cursor) {
    ShardCursor at = ShardCursor.parse(cursor);
    int shard = at.shard();
    String after = at.after();
    String template = indexedBy(request);
    boolean standing = request.subscribe() && template == null;
    while (true) {
      List<UserIndex.Indexed> page = pool.index().indexPageAcross(request.appId(), template, shard, after, pageSize);
      if (page.isEmpty()) return true;
      UserIndex.Indexed last = page.getLast();
      String next = last.shard() + "/" + last.openId();
      List<String> openIds = page.stream().map(UserIndex.Indexed::openId).toList();
      if (standing) openIds = pool.index().holders(request.appId(), request.templateId(), openIds);
      if (!publishPage(request, run, cursor, next, openIds)) return false;
      cursor = next;
      shard = last.shard();
      after = last.openId();
      if (page.size() < pageSize) return true;
    }
  }

  /**
   * The recall audience, shard by shard like {@link #everyone}, but only the users whose soonest
   * form_id or prepay_id expires by {@code expiresBy} (epoch s): the index is read by score, not whole.
   */
  private boolean expiring(PushRequest request, PushRun run, String cursor, long expiresBy) {
    ShardCursor at = ShardCursor.parse(cursor);
    int shard = at.shard();
    String after = at.after();
    while (true) {
      UserIndex.ExpiringPage page = pool.index().expiringPageAcross(request.appId(), shard, after, expiresBy, pageSize);
      if (page.read() == 0) return true;
      UserIndex.Indexed last = page.cursor();
      String next = last.shard() + "/" + last.openId();
      if (!publishPage(request, run, cursor, next, page.users().stream().map(UserIndex.Indexed::openId).toList())) return false;
      cursor = next;
      shard = last.shard();
      after = last.openId();
      if (page.read() < pageSize) return true;
    }
  }

  /** One task record per user: the push's task JSON written once ({@link TaskEncoder}), keyed {@code appId:openId}. */
  private List<ProducerRecord<String, byte[]>> taskRecords(PushRequest request, PushRun run, List<String> openIds) {
    List<ProducerRecord<String, byte[]>> records = new ArrayList<>(openIds.size());
    TaskEncoder encoder = new TaskEncoder(request, run);
    String keyPrefix = request.appId() + ":"; // as PushTask.kafkaKey()
    for (String openId : openIds) records.add(new ProducerRecord<>(tasksTopic, keyPrefix + openId, encoder.encode(openId)));
    return records;
  }

  private boolean publishPage(PushRequest request, PushRun run, String from, String to, List<String> openIds) {
    PushStatusStore.Stop stop = status.stop(PushId.of(request));
    if (stop.cancelled()) {
      log.info("event=fanout_cancelled requestId={} at='{}'", request.requestId(), from);
      throw new Cancelled();
    }
    Optional<Instant> waitUntil = quietUntil(request, stop);
    if (waitUntil.isPresent()) throw new Quiet(waitUntil.get());
    List<ProducerRecord<String, byte[]>> records = taskRecords(request, run, openIds);
    if (!records.isEmpty()) publisher.publishAll(records);
    if (!status.recordPage(PushId.of(request), from, to, openIds.size())) {
      log.warn("event=fanout_yielded requestId={} why=cursor_moved_elsewhere", request.requestId());
      return false;
    }
    pages.increment();
    tasks.increment(openIds.size());
    return true;
  }
}
