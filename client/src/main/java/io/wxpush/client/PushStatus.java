package io.wxpush.client;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;

/**
 * A push's status as {@code GET /v1/pushes/{requestId}} answers it: its state, whether that is
 * final, and its counts per outcome. Fields wxpush adds later are in {@link #json()}.
 *
 * @param state {@code scheduled}, {@code accepted}, {@code fanning_out}, {@code sending}, {@code done}, {@code failed} or {@code cancelled}
 * @param isFinal true once {@code done}, {@code failed} or {@code cancelled}
 * @param byReason WeChat's errcodes and wxpush's codes, each with its count
 * @param reason why a push failed as a request; null otherwise
 * @param json the whole answer
 */
public record PushStatus(
    String requestId,
    String appId,
    String state,
    @JsonProperty("final") boolean isFinal,
    long targets,
    long sent,
    long noCredential,
    long failed,
    long unknown,
    long cancelled,
    long pending,
    Map<String, Long> byReason,
    String reason,
    JsonNode json) {

  public PushStatus {
    byReason = byReason == null ? Map.of() : Map.copyOf(byReason);
  }

  /** The status in {@code body}, an answer of {@code GET /v1/pushes/{requestId}}. */
  static PushStatus of(JsonNode body) {
    PushStatus read = ClientJson.MAPPER.convertValue(body, PushStatus.class);
    return new PushStatus(read.requestId, read.appId, read.state, read.isFinal, read.targets, read.sent, read.noCredential, read.failed,
        read.unknown, read.cancelled, read.pending, read.byReason, read.reason, body);
  }
}
