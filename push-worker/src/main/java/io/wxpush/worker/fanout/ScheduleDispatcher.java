package io.wxpush.worker.fanout;

import io.wxpush.client.PushRequest;
import io.wxpush.kafka.AckedPublisher;
import io.wxpush.policy.PolicyStore;
import io.wxpush.policy.QuietHolds;
import io.wxpush.push.PushCommand;
import io.wxpush.push.PushCommandCodec;
import io.wxpush.push.PushId;
import io.wxpush.push.PushStatusStore;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts scheduled pushes when their {@code sendAt} comes, and resumes pushes that waited out their
 * app's quiet hours: every fan-out process looks at each app's schedule in Redis (twice a second) and publishes each due push to
 * {@code wxpush.push-requests} again, then takes it off the schedule. Publishing first means a
 * crash in between publishes it once more, which the fan-out runs once (idempotent per
 * requestId); two processes doing it at once do the same. The schedule survives restarts of every
 * process. Run it periodically.
 */
final class ScheduleDispatcher implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(ScheduleDispatcher.class);
  private static final int BATCH = 100;

  private final PushStatusStore status;
  private final AckedPublisher publisher;
  private final String requestsTopic;
  private final Set<String> apps;
  private final PolicyStore policies;
  private final QuietHolds quiet;
  private final Clock clock;

  ScheduleDispatcher(PushStatusStore status, AckedPublisher publisher, String requestsTopic, Set<String> apps, PolicyStore policies,
      QuietHolds quiet, Clock clock) {
    this.policies = policies;
    this.quiet = quiet;
    this.clock = clock;
    this.status = status;
    this.publisher = publisher;
    this.requestsTopic = requestsTopic;
    this.apps = Set.copyOf(apps);
  }

  @Override
  public void run() {
    try {
      for (String appId : apps) {
        for (PushStatusStore.Due due : status.due(appId, BATCH)) {
          if (due.body() != null) {
            publisher.publishAll(List.of(new ProducerRecord<>(requestsTopic, due.requestId(), due.body().getBytes(StandardCharsets.UTF_8))));
            log.info("event=push_due requestId={} app={}", due.requestId(), appId);
          }
          status.unschedule(appId, due.requestId());
        }
        resumeWaiting(appId);
      }
    } catch (RuntimeException e) {
      log.warn("event=schedule_dispatch_failed error={}", e.toString()); // the next run tries again
    }
  }

  /**
   * Pushes waiting out the app's quiet hours go on once the window, as the policy says now, is over
   * (a window moved or removed counts within seconds), and at once when one was cancelled or its
   * notAfter passed, so it ends promptly: a resume record each, published before the push leaves the
   * waiting list (a crash in between resumes it twice, harmlessly). Still quiet: its status shows
   * the window's end as it stands.
   */
  private void resumeWaiting(String appId) {
    for (QuietHolds.Waiting w : quiet.waiting(appId)) {
      String rid = w.requestId();
      PushId id = new PushId(appId, rid);
      Optional<PushRequest> message = status.retries().message(id);
      Optional<Instant> until = policies.get(appId).quietUntil(clock.instant());
      boolean late = message.isPresent() && message.get().notAfter() != null && clock.millis() > message.get().notAfter();
      if (message.isEmpty() || until.isEmpty() || late || status.stop(id).stopped()) {
        if (message.isPresent()) {
          publisher.publishAll(List.of(new ProducerRecord<>(requestsTopic, rid, PushCommandCodec.encode(new PushCommand.Resume(appId, rid)))));
          log.info("event=push_resumed requestId={} app={} why={}", rid, appId, until.isEmpty() ? "quiet_hours_over" : late ? "not_after" : "stopped");
        }
        quiet.resumed(appId, w);
      } else {
        quiet.moveResume(id, until.get());
      }
    }
  }
}
