package io.wxpush.ingest.credentials;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.http.Context;
import io.wxpush.credentials.Credential;
import io.wxpush.credentials.CredentialValidator;
import io.wxpush.user.UserRef;
import io.wxpush.http.ApiException;
import io.wxpush.ingest.http.JsonBody;
import io.wxpush.ingest.auth.Bearer;
import io.wxpush.ingest.session.SessionTokens;
import io.wxpush.json.Json;
import io.wxpush.kafka.AckedPublisher;
import io.wxpush.kafka.KafkaUnavailableException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiPredicate;
import java.util.function.Predicate;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /v1/credentials}: validates a user's uploaded credentials, publishes the valid
 * ones to {@code wxpush.credentials}, and answers 202 only once Kafka has every one of them.
 * The user is the session token's, never the body's.
 */
public final class CredentialUploadHandler {
  /** Largest body this route takes: an upload of up to 100 credentials. */
  public static final long MAX_BODY_BYTES = 64 * 1024;

  private static final Logger log = LoggerFactory.getLogger(CredentialUploadHandler.class);
  /** Most credentials one upload may carry. */
  public static final int MAX_PER_UPLOAD = 100;

  private final SessionTokens tokens;
  private final CredentialValidator validator;
  private final UploadRateLimiter rateLimiter;
  private final AckedPublisher publisher;
  private final String topic;
  private final UploadMeters meters;
  private final BiPredicate<String, String> grantable;

  private final Predicate<String> clientGrants;

  /**
   * @param grantable whether an app (first) has a template (second) a grant may name ({@code TemplateGate#grantable})
   * @param clientGrants whether an app takes grants from its client ({@code GRANT_SOURCE} not {@code events})
   */
  public CredentialUploadHandler(SessionTokens tokens, CredentialValidator validator, UploadRateLimiter rateLimiter,
      AckedPublisher publisher, String topic, UploadMeters meters, BiPredicate<String, String> grantable,
      Predicate<String> clientGrants) {
    this.grantable = grantable;
    this.clientGrants = clientGrants;
    this.tokens = tokens;
    this.validator = validator;
    this.rateLimiter = rateLimiter;
    this.publisher = publisher;
    this.topic = topic;
    this.meters = meters;
  }

  public void upload(Context ctx) {
    UserRef user = Bearer.token(ctx).flatMap(tokens::verify)
        .orElseThrow(() -> ApiException.unauthorized("a valid session token is required (Authorization: Bearer <token> from POST /v1/sessions)"));
    JsonNode body = JsonBody.object(ctx, MAX_BODY_BYTES);
    JsonNode items = body.get("credentials");
    if (items == null || !items.isArray()) throw ApiException.badRequest("invalid_request", "'credentials' must be an array");
    if (items.isEmpty()) throw ApiException.badRequest("invalid_request", "'credentials' is empty");
    if (items.size() > MAX_PER_UPLOAD) {
      throw ApiException.badRequest("too_many_credentials", "at most " + MAX_PER_UPLOAD + " credentials per upload");
    }
    if (!rateLimiter.tryAcquire(user)) {
      throw new ApiException(429, "rate_limited", "too many uploads for this user; try again in a minute", Optional.of(Duration.ofSeconds(60)));
    }

    List<ProducerRecord<String, byte[]>> records = new ArrayList<>();
    List<Map<String, Object>> rejected = new ArrayList<>();
    Map<String, Boolean> known = new HashMap<>(); // one look per template and upload
    for (int i = 0; i < items.size(); i++) {
      CredentialValidator.Result result = validator.validate(user.appId(), user.openId(), items.get(i));
      if (result instanceof CredentialValidator.Accepted a && a.credential().templateId() != null && !clientGrants.test(user.appId())) {
        result = new CredentialValidator.Rejected("grant_source_events");
      } else if (result instanceof CredentialValidator.Accepted a && a.credential().templateId() != null
          && !known.computeIfAbsent(a.credential().templateId(), t -> grantable.test(user.appId(), t))) {
        result = new CredentialValidator.Rejected("unknown_template");
      }
      switch (result) {
        case CredentialValidator.Accepted a -> records.add(record(a.credential()));
        case CredentialValidator.Rejected r -> {
          rejected.add(Map.of("index", i, "reason", r.reason()));
          meters.rejected(r.reason());
        }
      }
    }
    if (records.isEmpty()) {
      throw ApiException.badRequest("no_valid_credentials", "no credential in the upload is valid; nothing was stored")
          .withDetail("rejected", rejected);
    }
    try {
      publisher.publishAll(records);
    } catch (KafkaUnavailableException e) {
      log.warn("event=upload_unavailable app={} credentials={} error={}", user.appId(), records.size(), e.getMessage());
      throw ApiException.unavailable("unavailable", "credentials cannot be stored right now; nothing was accepted, retry later", Duration.ofSeconds(5));
    }
    meters.accepted(records.size());
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("accepted", records.size());
    answer.put("rejected", rejected);
    ctx.status(202).json(answer);
  }

  private ProducerRecord<String, byte[]> record(Credential credential) {
    return new ProducerRecord<>(topic, credential.kafkaKey(), Json.write(credential));
  }
}
