package io.wxpush.ingest.push;

import io.javalin.http.Context;
import io.wxpush.http.ApiException;
import io.wxpush.http.JsonBody;
import io.wxpush.ingest.auth.PushApiKeys;
import io.wxpush.json.Json;
import io.wxpush.kafka.AckedPublisher;
import io.wxpush.kafka.KafkaUnavailableException;
import io.wxpush.push.PushRequest;
import io.wxpush.push.PushRequestParser;
import io.wxpush.push.PushStatus;
import io.wxpush.push.PushStatusStore;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /v1/pushes} accepts a push (once per requestId) and publishes it to
 * {@code wxpush.push-requests}; {@code GET /v1/pushes/{requestId}} answers its status. Both
 * want a push API key.
 */
public final class PushHandler {
  private static final Logger log = LoggerFactory.getLogger(PushHandler.class);

  private final PushApiKeys keys;
  private final PushRequestParser parser;
  private final Statuses status;
  private final AckedPublisher publisher;
  private final String topic;

  /** What the handler asks of the push status store: {@link PushStatusStore} here, a fake in tests without Redis. */
  interface Statuses {
    boolean accept(PushRequest push);

    void forget(String requestId);

    Optional<PushStatus> read(String requestId);
  }

  public PushHandler(PushApiKeys keys, PushRequestParser parser, PushStatusStore status, AckedPublisher publisher, String topic) {
    this(keys, parser, new Statuses() {
      @Override
      public boolean accept(PushRequest push) {
        return status.accept(push);
      }

      @Override
      public void forget(String requestId) {
        status.forget(requestId);
      }

      @Override
      public Optional<PushStatus> read(String requestId) {
        return status.read(requestId);
      }
    }, publisher, topic);
  }

  PushHandler(PushApiKeys keys, PushRequestParser parser, Statuses status, AckedPublisher publisher, String topic) {
    this.keys = keys;
    this.parser = parser;
    this.status = status;
    this.publisher = publisher;
    this.topic = topic;
  }

  public void create(Context ctx) {
    keys.require(ctx);
    PushRequest push = switch (parser.parse(JsonBody.object(ctx))) {
      case PushRequestParser.Valid v -> v.request();
      case PushRequestParser.Invalid i -> throw ApiException.badRequest("invalid_push", "the push request has " + i.errors().size() + " problem(s)")
          .withDetail("fields", i.errors());
    };
    if (status.accept(push)) {
      try {
        publisher.publishAll(List.of(new ProducerRecord<>(topic, push.requestId(), Json.write(push))));
      } catch (KafkaUnavailableException e) {
        status.forget(push.requestId());
        log.warn("event=push_unavailable requestId={} error={}", push.requestId(), e.getMessage());
        throw ApiException.unavailable("unavailable", "the push cannot be accepted right now; nothing was accepted, retry later", Duration.ofSeconds(5));
      }
      log.info("event=push_accepted requestId={} app={} kind={} audience={}", push.requestId(), push.appId(), push.kind(),
          push.audience().everyone() ? "all" : push.audience().openIds().size());
    } else {
      log.info("event=push_repeated requestId={}", push.requestId());
    }
    ctx.status(202).json(Map.of("requestId", push.requestId()));
  }

  public void show(Context ctx) {
    keys.require(ctx);
    String requestId = ctx.pathParam("requestId");
    PushStatus s = status.read(requestId).orElseThrow(() -> ApiException.notFound("no push with requestId '" + requestId + "'"));
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("requestId", s.requestId());
    answer.put("state", s.state());
    answer.put("targets", s.targets());
    answer.put("sent", s.sent());
    answer.put("noCredential", s.noCredential());
    answer.put("failed", s.failed());
    answer.put("unknown", s.unknown());
    answer.put("pending", s.pending());
    answer.put("byReason", s.byReason());
    ctx.json(answer);
  }
}
