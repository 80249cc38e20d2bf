package io.wxpush.worker.fanout;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.wxpush.credentials.CredentialPool;
import io.wxpush.json.Json;
import io.wxpush.kafka.AckedPublisher;
import io.wxpush.metrics.WxpushMeter;
import io.wxpush.push.PushRequest;
import io.wxpush.push.PushRun;
import io.wxpush.push.PushStatusStore;
import io.wxpush.push.PushTask;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns one push request into one task per user on {@code wxpush.push-tasks}, a page at a time:
 * listed users in the order given, or everyone in the app's credential index (shard by shard,
 * in openId order). Only one page is ever in memory. After each page is acknowledged by Kafka,
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

  private final java.time.Duration ledgerGrace;
  private final java.time.Clock clock;

  /**
   * @param ledgerGrace {@code LEDGER_GRACE}: the run's horizon is the fan-out's start plus this
   * @param clock tells whether a push's {@code sendAt} has come
   */
  public Fanout(CredentialPool pool, PushStatusStore status, AckedPublisher publisher, String tasksTopic, int pageSize,
      java.time.Duration ledgerGrace, java.time.Clock clock, MeterRegistry registry) {
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
    status.initStatus(request);
    status.published(rid); // it is on Kafka: a retry of its POST is a replay from now on
    status.retries().rememberMessage(request); // for POST …/retry
    if (request.scheduledAfter(clock.millis()) && !status.stop(rid).stopped()) {
      status.schedule(request); // ScheduleDispatcher publishes it again when its time comes
      log.info("event=push_scheduled requestId={} sendAt={}", rid, request.sendAt());
      return;
    }
    PushStatusStore.FanoutProgress progress = status.fanoutProgress(rid);
    if (progress.done()) {
      log.info("event=fanout_skipped requestId={} why=already_done", rid);
      return;
    }
    String template = request.subscribe() ? request.templateId() : null;
    long audience = request.audience().everyone() ? pool.indexSize(request.appId(), template) : request.audience().openIds().size();
    PushRun run = status.startRun(rid, request.appId(), ledgerGrace, PushRun.bucketsFor(audience));
    log.info("event=fanout_started requestId={} app={} audience={} run={} resume_from='{}'", rid, request.appId(),
        request.audience().everyone() ? "all" : audience, run.id(), progress.cursor());
    boolean finished;
    try {
      finished = request.audience().everyone() ? everyone(request, run, progress.cursor()) : listed(request, run, progress.cursor());
    } catch (Cancelled c) {
      finished = true; // what was published is all there is: its tasks end as cancelled
    }
    if (finished) {
      String state = status.finishFanout(rid);
      log.info("event=fanout_done requestId={} state={}", rid, state);
    }
  }

  /**
   * Runs retry round {@code round} of a push: its retryable users (dead-lettered, surely not sent)
   * get a task each under the round's own run id, so a user is sent at most once per round and a
   * redelivered retry record sends nobody twice. Each page: their failed outcomes taken back, the
   * tasks published, then the users taken off the retryable set.
   */
  public void retry(String requestId, long round) {
    var message = status.retries().message(requestId);
    if (message.isEmpty()) {
      log.warn("event=retry_skipped requestId={} why=no_message", requestId);
      return;
    }
    PushRun run = status.retries().retryRun(requestId, round, ledgerGrace);
    long n = 0;
    List<String> page;
    while (!(page = status.retries().retryablePage(requestId, pageSize)).isEmpty()) {
      status.retries().resetForRetry(requestId, run.outcomeBuckets(), page);
      List<ProducerRecord<String, byte[]>> records = new ArrayList<>(page.size());
      for (String openId : page) {
        PushTask task = PushTask.of(message.get(), openId, run);
        records.add(new ProducerRecord<>(tasksTopic, task.kafkaKey(), Json.write(task)));
      }
      publisher.publishAll(records);
      status.retries().retried(requestId, page);
      n += page.size();
      tasks.increment(page.size());
    }
    log.info("event=retry_published requestId={} round={} users={}", requestId, round, n);
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

  /** Cursor form: {@code shard/lastOpenId}; {@code shard/} = the start of that shard. A page may span shards. */
  private boolean everyone(PushRequest request, PushRun run, String cursor) {
    int shard = 0;
    String after = null;
    if (!cursor.isEmpty()) {
      int slash = cursor.indexOf('/');
      shard = Integer.parseInt(cursor.substring(0, slash));
      after = slash == cursor.length() - 1 ? null : cursor.substring(slash + 1);
    }
    String template = request.subscribe() ? request.templateId() : null;
    while (true) {
      List<CredentialPool.Indexed> page = pool.indexPageAcross(request.appId(), template, shard, after, pageSize);
      if (page.isEmpty()) return true;
      CredentialPool.Indexed last = page.getLast();
      String next = last.shard() + "/" + last.openId();
      if (!publishPage(request, run, cursor, next, page.stream().map(CredentialPool.Indexed::openId).toList())) return false;
      cursor = next;
      shard = last.shard();
      after = last.openId();
      if (page.size() < pageSize) return true;
    }
  }

  private boolean publishPage(PushRequest request, PushRun run, String from, String to, List<String> openIds) {
    if (status.stop(request.requestId()).cancelled()) {
      log.info("event=fanout_cancelled requestId={} at='{}'", request.requestId(), from);
      throw new Cancelled();
    }
    List<ProducerRecord<String, byte[]>> records = new ArrayList<>(openIds.size());
    for (String openId : openIds) {
      PushTask task = PushTask.of(request, openId, run);
      records.add(new ProducerRecord<>(tasksTopic, task.kafkaKey(), Json.write(task)));
    }
    publisher.publishAll(records);
    if (!status.recordPage(request.requestId(), from, to, openIds.size())) {
      log.warn("event=fanout_yielded requestId={} why=cursor_moved_elsewhere", request.requestId());
      return false;
    }
    pages.increment();
    tasks.increment(openIds.size());
    return true;
  }
}
