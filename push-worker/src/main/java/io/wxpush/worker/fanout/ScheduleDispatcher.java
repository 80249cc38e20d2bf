package io.wxpush.worker.fanout;

import io.wxpush.kafka.AckedPublisher;
import io.wxpush.push.PushStatusStore;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts scheduled pushes when their {@code sendAt} comes: every fan-out process looks at each
 * app's schedule in Redis (twice a second) and publishes each due push to
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

  ScheduleDispatcher(PushStatusStore status, AckedPublisher publisher, String requestsTopic, Set<String> apps) {
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
      }
    } catch (RuntimeException e) {
      log.warn("event=schedule_dispatch_failed error={}", e.toString()); // the next run tries again
    }
  }
}
