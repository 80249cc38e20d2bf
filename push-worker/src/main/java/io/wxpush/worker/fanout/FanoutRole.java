package io.wxpush.worker.fanout;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.wxpush.credentials.CredentialPool;
import io.wxpush.json.Json;
import io.wxpush.kafka.AckedPublisher;
import io.wxpush.kafka.KafkaClients;
import io.wxpush.policy.PolicyStore;
import io.wxpush.policy.QuietHolds;
import io.wxpush.push.PushRequestParser;
import io.wxpush.push.PushStatusStore;
import io.wxpush.worker.loop.ConsumerLoop;
import io.wxpush.worker.loop.Role;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The fan-out role: push requests from {@code wxpush.push-requests} into one task per user, and scheduled pushes started on time. */
public final class FanoutRole implements Role {
  private static final Logger log = LoggerFactory.getLogger(FanoutRole.class);

  /**
   * @param requestsTopic where push requests arrive   @param tasksTopic where tasks go
   * @param group the fan-out's consumer group   @param pageSize {@code FANOUT_PAGE}
   * @param ledgerGrace {@code LEDGER_GRACE}: a push's horizon is its fan-out's start plus this
   * @param dlqTopic where requests that cannot be processed go   @param apps the app ids served (the API's rules)
   */
  public record Config(String bootstrapServers, String requestsTopic, String tasksTopic, String group, int pageSize, Duration ledgerGrace,
      String dlqTopic, Set<String> apps) {}

  private final FanoutWorker worker;
  private final ScheduledExecutorService schedule;

  private FanoutRole(FanoutWorker worker, ScheduledExecutorService schedule) {
    this.worker = worker;
    this.schedule = schedule;
  }

  public static FanoutRole start(Config config, CredentialPool pool, PushStatusStore status, AckedPublisher publisher, Clock clock,
      MeterRegistry registry, PolicyStore policies, QuietHolds quiet) {
    KafkaConsumer<String, byte[]> consumer = KafkaClients.manualCommitConsumer(config.bootstrapServers(), config.group(), "wxpush-fanout", 1);
    new KafkaClientMetrics(consumer).bindTo(registry);
    Fanout fanout = new Fanout(pool, status, publisher, config.tasksTopic(), config.pageSize(), config.ledgerGrace(), clock, registry, policies,
        quiet);
    FanoutWorker.Rejects rejects = (record, rid, app, reason, tries) -> {
      Map<String, Object> dlq = new LinkedHashMap<>();
      dlq.put("v", 1);
      dlq.put("requestId", rid);
      dlq.put("request", new String(record.value(), StandardCharsets.UTF_8));
      dlq.put("reason", reason);
      dlq.put("tries", tries);
      dlq.put("at", System.currentTimeMillis());
      publisher.publishAll(List.of(new ProducerRecord<>(config.dlqTopic(), record.key(), Json.write(dlq))));
      if (rid != null) status.failRequest(rid, app, reason);
    };
    FanoutWorker worker = new FanoutWorker(consumer, config.requestsTopic(), fanout, new PushRequestParser(config.apps(), true /* callbacks are the API's to check */), rejects);
    Thread.ofPlatform().name("fanout").start(worker);
    var schedule = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("push-schedule").daemon().factory());
    schedule.scheduleWithFixedDelay(new ScheduleDispatcher(status, publisher, config.requestsTopic(), config.apps(), policies, quiet, clock), 500, 500,
        TimeUnit.MILLISECONDS);
    return new FanoutRole(worker, schedule);
  }

  @Override
  public List<ConsumerLoop> loops() {
    return List.of(worker);
  }

  @Override
  public void close() {
    schedule.shutdownNow();
    try {
      worker.close();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      log.warn("event=close_interrupted what=fanout");
    }
  }
}
