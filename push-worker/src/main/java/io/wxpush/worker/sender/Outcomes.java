package io.wxpush.worker.sender;

import io.wxpush.json.Json;
import io.wxpush.push.MessageIds;
import io.wxpush.push.Outcome;
import io.wxpush.push.PushId;
import io.wxpush.push.PushStatusStore;
import io.wxpush.push.PushTask;
import io.wxpush.push.UserOutcome;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import io.wxpush.kafka.AckedPublisher;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a task's end goes: the result event on {@code wxpush.push-results} (published first, so
 * results are at-least-once), then the per-push counters in Redis (exactly once per user, written in
 * batches: {@link OutcomeBatches}), and
 * for tasks given up on, the task itself on {@code wxpush.push-dlq} with the reason.
 */
final class Outcomes {
  private static final Logger log = LoggerFactory.getLogger(Outcomes.class);

  private final PushStatusStore status;
  private final AckedPublisher publisher;
  private final String resultsTopic;
  private final String dlqTopic;
  private final SenderMeters meters;
  private final Clock clock;
  private final MessageIds messageIds;
  private final OutcomeBatches batches;

  /** @param ledgerGrace {@code LEDGER_GRACE}: how long a user's outcome is remembered, so it is counted once */
  Outcomes(PushStatusStore status, AckedPublisher publisher, String resultsTopic, String dlqTopic, SenderMeters meters,
      Duration ledgerGrace, Clock clock, MessageIds messageIds) {
    this.messageIds = messageIds;
    this.batches = new OutcomeBatches(status, ledgerGrace, clock);
    this.status = status;
    this.publisher = publisher;
    this.resultsTopic = resultsTopic;
    this.dlqTopic = dlqTopic;
    this.meters = meters;
    this.clock = clock;
  }

  /** @param task stamped with its run; @param reason an errcode or short code; null when there is nothing to add */
  void record(PushTask task, Outcome outcome, String reason) throws InterruptedException {
    record(task, outcome, reason, 0);
  }

  /**
   * @param msgid WeChat's id of the delivered message (0: none): in the result event, and, for a
   *     subscribe message, remembered so a later {@code subscribe_msg_sent_event} failure of it
   *     finds this push (WeChat sends that event for subscribe messages only: a template message's
   *     msgid would cost Redis a write and ~22-59 bytes for nothing)
   */
  void record(PushTask task, Outcome outcome, String reason, long msgid) throws InterruptedException {
    if (msgid != 0 && task.subscribe()) {
      try {
        messageIds.remember(task.appId(), msgid, task.requestId());
      } catch (RuntimeException e) { // Redis away: only a late failure of this message goes uncounted
        log.warn("event=msgid_unremembered requestId={} error={}", task.requestId(), e.toString());
      }
    }
    long at = clock.millis();
    byte[] event = Json.generate(out -> {
      out.writeStartObject();
      out.writeNumberField("v", 1);
      out.writeStringField("requestId", task.requestId());
      out.writeStringField("appId", task.appId());
      out.writeStringField("openId", task.openId());
      out.writeStringField("outcome", outcome.field());
      if (reason != null) out.writeStringField("reason", reason);
      if (msgid != 0) out.writeNumberField("msgid", msgid);
      out.writeNumberField("at", at);
      out.writeEndObject();
    });
    publisher.publishAll(List.of(new ProducerRecord<>(resultsTopic, task.kafkaKey(), event)));
    // the counters in this process's next batch for the push: returns once written (OutcomeBatches)
    if (batches.record(PushId.of(task), task.pushRun().orElseThrow(), new UserOutcome(task.openId(), outcome, reason, msgid))) {
      meters.outcome(outcome);
      if (outcome != Outcome.SENT) {
        log.debug("event=push_outcome requestId={} app={} outcome={} reason={}", task.requestId(), task.appId(), outcome.field(), reason);
      }
    }
  }

  /** Stops the batches: outcomes recorded after this fail. */
  void close() {
    batches.close();
  }

  /** Remembers a dead-lettered user of a push that surely did not reach WeChat, for {@code POST /v1/pushes/{id}/retry}. */
  void retryable(PushTask task) {
    status.retries().markRetryable(PushId.of(task), task.openId());
  }

  /** Moves a task to the DLQ with why, then records its final outcome. */
  void deadLetter(PushTask task, String reason, int attempts, Outcome outcome) throws InterruptedException {
    deadLetterRecord(task, reason, attempts);
    record(task, outcome, reason);
  }

  /** Publishes the task to the DLQ with why and how many WeChat calls it had (its outcome is recorded apart). */
  void deadLetterRecord(PushTask task, String reason, int attempts) {
    Map<String, Object> record = new LinkedHashMap<>();
    record.put("v", 1);
    record.put("task", task);
    record.put("reason", reason);
    record.put("attempts", attempts);
    record.put("at", clock.millis());
    publisher.publishAll(List.of(new ProducerRecord<>(dlqTopic, task.kafkaKey(), Json.write(record))));
    meters.dlq(reason);
    log.warn("event=task_dead_lettered requestId={} app={} reason={} attempts={}", task.requestId(), task.appId(), reason, attempts);
  }
}
