package io.wxpush.ingest.push;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.http.Context;
import io.wxpush.http.ApiException;
import io.wxpush.ingest.http.JsonBody;
import io.wxpush.ingest.auth.ApiKey;
import io.wxpush.ingest.auth.PushApiKeys;
import io.wxpush.kafka.AckedPublisher;
import io.wxpush.kafka.KafkaUnavailableException;
import io.wxpush.client.PushRequest;
import io.wxpush.ingest.push.PushCallbacks;
import io.wxpush.push.PushId;
import io.wxpush.push.PushRequestParser;
import io.wxpush.push.PushStatus;
import io.wxpush.push.PushCommand;
import io.wxpush.push.PushCommandCodec;
import io.wxpush.push.PushState;
import io.wxpush.push.PushStatusStore;
import io.wxpush.push.PushTransition;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /v1/pushes} accepts a push (once per requestId of its app: the same body again is a
 * replay, another body a 409; another app's push of the same id is another push) and publishes it to
 * {@code wxpush.push-requests} before it answers 202; {@code GET /v1/pushes/{requestId}} answers its
 * status, {@code DELETE} cancels it, {@code POST …/retry} retries it, each of the app
 * {@link PushApiKeys#appOfRequestId} finds ({@code ?appId=}). All want a push API key.
 */
public final class PushHandler {
  /** Largest body this route takes: a listed audience of 10,000 openIds of up to 64 characters, with its data. */
  public static final long MAX_BODY_BYTES = 1024 * 1024;

  private static final Logger log = LoggerFactory.getLogger(PushHandler.class);

  private final PushApiKeys keys;
  private final PushRequestParser parser;
  private final Set<String> apps;
  private final Statuses status;
  private final AckedPublisher publisher;
  private final String topic;
  /** What a push's 202 warns of ({@code QuotaWarnings}: {@code audience_exceeds_quota}); none in tests without it. */
  private final Function<PushRequest, List<String>> warnings;
  private final Function<PushRequest, List<Map<String, String>>> templateProblems;

  /** What the handler asks of the push status store: {@link PushStatusStore} here, a fake in tests without Redis. */
  interface Statuses {
    /** What {@link #accept} would answer now, changing nothing (NEW: not seen yet). */
    PushStatusStore.Acceptance seen(PushRequest push);

    PushStatusStore.Acceptance accept(PushRequest push);

    void published(PushId id);

    Optional<PushStatus> read(PushId id);

    /** Which of {@code appIds} hold a push of {@code requestId}. */
    List<String> appsWith(String requestId, Collection<String> appIds);

    PushStatusStore.Cancel cancel(PushId id);

    PushStatusStore.Listed list(String appId, String cursor, int limit, Predicate<String> keep);

    void expectCallback(String appId, String requestId, String url, String keyFingerprint);

    long retryable(PushId id);

    long nextRetryRound(PushId id);
  }

  /** @param templateProblems a push's template problems as field errors ({@code TemplateGate#problems}) */
  /** @param apps the appIds served here (the apps a bare key acts for) */
  public PushHandler(PushApiKeys keys, PushRequestParser parser, Set<String> apps, PushStatusStore status, io.wxpush.ingest.push.PushCallbacks callbacks,
      AckedPublisher publisher, String topic, java.util.function.Function<PushRequest, List<Map<String, String>>> templateProblems,
      Function<PushRequest, List<String>> warnings) {
    this(keys, parser, apps, new Statuses() {
      @Override
      public PushStatusStore.Acceptance seen(PushRequest push) {
        return status.seen(push);
      }

      @Override
      public PushStatusStore.Acceptance accept(PushRequest push) {
        PushStatusStore.Acceptance seen = status.accept(push);
        if (seen == PushStatusStore.Acceptance.NEW) status.describe(push); // for its page in the console
        return seen;
      }

      @Override
      public void published(PushId id) {
        status.published(id);
      }

      @Override
      public Optional<PushStatus> read(PushId id) {
        return status.read(id);
      }

      @Override
      public List<String> appsWith(String requestId, Collection<String> appIds) {
        return status.appsWith(requestId, appIds);
      }

      @Override
      public PushStatusStore.Cancel cancel(PushId id) {
        return status.cancel(id);
      }

      @Override
      public PushStatusStore.Listed list(String appId, String cursor, int limit, Predicate<String> keep) {
        return status.list(appId, cursor, limit, keep);
      }

      @Override
      public void expectCallback(String appId, String requestId, String url, String keyFingerprint) {
        callbacks.expectCallback(appId, requestId, url, keyFingerprint);
      }

      @Override
      public long retryable(PushId id) {
        return status.retries().retryable(id);
      }

      @Override
      public long nextRetryRound(PushId id) {
        return status.retries().nextRetryRound(id);
      }
    }, publisher, topic, templateProblems, warnings);
  }

  PushHandler(PushApiKeys keys, PushRequestParser parser, Set<String> apps, Statuses status, AckedPublisher publisher, String topic,
      Function<PushRequest, List<Map<String, String>>> templateProblems) {
    this(keys, parser, apps, status, publisher, topic, templateProblems, push -> List.of());
  }

  PushHandler(PushApiKeys keys, PushRequestParser parser, Set<String> apps, Statuses status, AckedPublisher publisher, String topic,
      Function<PushRequest, List<Map<String, String>>> templateProblems, Function<PushRequest, List<String>> warnings) {
    this.warnings = warnings;
    this.templateProblems = templateProblems;
    this.apps = Set.copyOf(apps);
    this.keys = keys;
    this.parser = parser;
    this.status = status;
    this.publisher = publisher;
    this.topic = topic;
  }

  public void create(Context ctx) {
    ApiKey key = keys.require(ctx);
    JsonNode body = JsonBody.object(ctx, MAX_BODY_BYTES);
    JsonNode appId = body.get("appId");
    if (appId != null && appId.isTextual()) PushApiKeys.checkScope(key, appId.asText()); // served or not: one answer (403)
    PushRequest push = switch (parser.parse(body)) {
      case PushRequestParser.Valid v -> v.request();
      case PushRequestParser.Invalid i -> throw invalid(i.errors());
    };
    PushApiKeys.checkScope(key, push.appId());
    String rid = push.requestId();
    PushId id = PushId.of(push);
    // a replay of an accepted push is answered as the first time even if its template has gone since
    // (a changed body is still a conflict): the acceptance is looked up before the template check
    PushStatusStore.Acceptance seen = status.seen(push);
    if (seen == PushStatusStore.Acceptance.NEW) {
      List<Map<String, String>> templateErrors = templateProblems.apply(push);
      if (!templateErrors.isEmpty()) {
        log.info("event=push_refused requestId={} app={} template={} problems={}", rid, push.appId(), push.templateId(), templateErrors.size());
        throw invalid(templateErrors);
      }
      seen = status.accept(push);
    }
    switch (seen) {
      case CONFLICT -> {
        log.info("event=push_conflict requestId={}", rid);
        throw new ApiException(409, "request_id_conflict", "requestId '" + rid + "' was used for another push; nothing was changed");
      }
      case REPLAY -> log.info("event=push_repeated requestId={}", rid);
      case NEW, REPUBLISH -> {
        // before the publish: once Kafka has it, the push may end at any moment
        if (push.callbackUrl() != null) status.expectCallback(push.appId(), rid, push.callbackUrl(), key.fingerprint());
        try {
          publisher.publishAll(List.of(new ProducerRecord<>(topic, rid, PushCommandCodec.encode(new PushCommand.Request(push)))));
        } catch (KafkaUnavailableException e) {
          // Kafka may or may not have it: the marker stays "publishing", and a retry with this
          // requestId and body publishes again (the fan-out runs a requestId once)
          log.warn("event=push_unavailable requestId={} error={}", rid, e.getMessage());
          throw ApiException.unavailable("unavailable",
              "the push could not be confirmed as published; retry with the same requestId (it is sent once)", Duration.ofSeconds(5));
        }
        try {
          status.published(id);
        } catch (RuntimeException e) { // Kafka has it: the fan-out marks it too, and a retry republishes harmlessly
          log.warn("event=push_mark_failed requestId={} error={}", rid, e.toString());
        }
        log.info("event=push_accepted requestId={} app={} kind={} audience={} again={}", rid, push.appId(), push.kind(),
            push.audience().everyone() ? "all" : push.audience().expiring() ? "expiringWithin:" + push.audience().expiringWithin()
                : push.audience().openIds().size(), seen == PushStatusStore.Acceptance.REPUBLISH);
      }
    }
    if (seen != PushStatusStore.Acceptance.NEW) ctx.header("Idempotent-Replayed", "true");
    List<String> warned = warnings.apply(push);
    ctx.status(202).json(warned.isEmpty() ? Map.of("requestId", rid) : Map.of("requestId", rid, "warnings", warned));
  }

  private static ApiException invalid(List<? extends Map<String, ?>> errors) {
    return ApiException.badRequest("invalid_push", "the push request has " + errors.size() + " problem(s)").withDetail("fields", errors);
  }

  public void show(Context ctx) {
    ctx.json(answer(visible(ctx, keys.require(ctx))));
  }

  /**
   * The push of the path's requestId in the app {@link PushApiKeys#appOfRequestId} finds for
   * {@code key}: a push of an app the key does not act for is never looked at, so it is 404 to the
   * key, as if there were none (and {@code ?appId=} of such an app is 403, as on every route).
   */
  private PushStatus visible(Context ctx, ApiKey key) {
    String requestId = ctx.pathParam("requestId");
    Optional<String> app = PushApiKeys.appOfRequestId(ctx, key, apps, candidates -> status.appsWith(requestId, candidates));
    Optional<PushStatus> s = app.flatMap(a -> status.read(new PushId(a, requestId)));
    if (s.isEmpty()) throw ApiException.notFound("no push with requestId '" + requestId + "'");
    return s.get();
  }

  private static final Set<String> STATES = Arrays.stream(PushState.values()).map(PushState::wire).collect(Collectors.toSet());

  /** {@code GET /v1/pushes?appId=&state=&limit=&cursor=}: an app's pushes, newest first, by cursor. */
  public void list(Context ctx) {
    ApiKey key = keys.require(ctx);
    String appId = ctx.queryParam("appId");
    if (appId == null || appId.isEmpty()) throw ApiException.badRequest("invalid_request", "'appId' is required");
    PushApiKeys.checkScope(key, appId); // before the served check: a scoped key cannot tell served apps from others
    if (!parser.serves(appId)) throw ApiException.badRequest("invalid_request", "'appId' is not an app served here");
    String state = ctx.queryParam("state");
    if (state != null && !STATES.contains(state)) throw ApiException.badRequest("invalid_request", "'state' must be one of " + new TreeSet<>(STATES));
    int limit = 50;
    String limitText = ctx.queryParam("limit");
    if (limitText != null) {
      try {
        limit = Integer.parseInt(limitText);
      } catch (NumberFormatException e) {
        limit = -1;
      }
      if (limit < 1 || limit > 200) throw ApiException.badRequest("invalid_request", "'limit' must be 1-200");
    }
    String cursor = ctx.queryParam("cursor");
    if (cursor != null && !cursor.matches("[0-9]{1,15}:[A-Za-z0-9_.:-]{1,64}")) throw ApiException.badRequest("invalid_request", "'cursor' is not one this API gave");
    Map<String, PushStatus> read = new HashMap<>();
    PushStatusStore.Listed page = status.list(appId, cursor, limit, rid -> {
      Optional<PushStatus> s = status.read(new PushId(appId, rid));
      s.ifPresent(v -> read.put(rid, v));
      return s.isPresent() && (state == null || state.equals(s.get().state()));
    });
    List<Map<String, Object>> pushes = new ArrayList<>();
    for (String rid : page.requestIds()) pushes.add(answer(read.get(rid)));
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("pushes", pushes);
    answer.put("nextCursor", page.nextCursor());
    ctx.json(answer);
  }

  /** The status JSON of a push, as {@code GET /v1/pushes/{id}} and its callback show it. */
  static Map<String, Object> answer(PushStatus s) {
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("requestId", s.requestId());
    if (s.appId() != null) answer.put("appId", s.appId());
    answer.put("state", s.state());
    answer.put("final", s.isFinal()); // what the console and clients need, so that none lists the final states again
    answer.put("targets", s.targets());
    answer.put("sent", s.sent());
    answer.put("noCredential", s.noCredential());
    answer.put("failed", s.failed());
    answer.put("unknown", s.unknown());
    answer.put("cancelled", s.cancelled());
    answer.put("pending", s.pending());
    answer.put("retryable", s.retryable());
    answer.put("byReason", s.byReason());
    if (s.reason() != null) answer.put("reason", s.reason());
    if (s.resumesAt() != null) answer.put("resumesAt", s.resumesAt());
    if (s.request() != null) answer.put("request", s.request());
    answer.put("timeline", s.timeline());
    return answer;
  }

  /**
   * {@code DELETE /v1/pushes/{requestId}}: cancels the push. Answered only once every sender has
   * seen the mark ({@link PushStatusStore#CANCEL_SETTLE}), so no send of it starts after the answer;
   * 409 for a push already done, failed or cancelled.
   */
  public void cancel(Context ctx) throws InterruptedException {
    PushStatus s = visible(ctx, keys.require(ctx));
    String requestId = s.requestId();
    PushStatusStore.Cancel result = status.cancel(new PushId(s.appId(), requestId));
    switch (result) {
      case MISSING -> throw ApiException.notFound("no push with requestId '" + requestId + "'");
      case FINAL -> throw new ApiException(409, "push_finished", "push '" + requestId + "' is " + s.state() + ": there is nothing to cancel");
      case CANCELLING -> Thread.sleep(PushStatusStore.CANCEL_SETTLE.toMillis());
      case CANCELLED -> { }
    }
    log.info("event=push_cancelled requestId={} state={}", requestId, result.name().toLowerCase(Locale.ROOT));
    ctx.status(202).json(Map.of("requestId", requestId, "state", result.name().toLowerCase(Locale.ROOT)));
  }

  /**
   * {@code POST /v1/pushes/{requestId}/retry}: sends again to the push's users whose task went to
   * the DLQ and surely did not reach WeChat (their credential given back, or none claimed: −1
   * retries used up, 45009, 45011, redeliveries); users already sent or unknown never. The round is
   * published to the fan-out through Kafka before the answer; {@code 202 {"retried":n}}.
   */
  public void retry(Context ctx) {
    PushStatus s = visible(ctx, keys.require(ctx));
    String requestId = s.requestId();
    PushId id = new PushId(s.appId(), requestId);
    if (s.state().equals(PushState.CANCELLED.wire())) throw new ApiException(409, "push_cancelled", "push '" + requestId + "' was cancelled: nothing is retried");
    long n = status.retryable(id);
    if (n > 0 && !PushTransition.RETRY_ROUND.allowedFrom(s.state())) {
      throw new ApiException(409, "push_not_retryable", "push '" + requestId + "' is " + s.state() + ": it cannot be retried");
    }
    if (n > 0) {
      long round = status.nextRetryRound(id);
      byte[] record = PushCommandCodec.encode(new PushCommand.RetryRound(id.appId(), requestId, round));
      try {
        publisher.publishAll(List.of(new ProducerRecord<>(topic, requestId, record)));
      } catch (KafkaUnavailableException e) {
        throw ApiException.unavailable("unavailable", "the retry could not be confirmed; retry it (users are sent at most once)", Duration.ofSeconds(5));
      }
      log.info("event=push_retry requestId={} round={} users={}", requestId, round, n);
    }
    ctx.status(202).json(Map.of("requestId", requestId, "retried", n));
  }
}
