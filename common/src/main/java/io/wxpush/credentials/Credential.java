package io.wxpush.credentials;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Objects;

/**
 * One push credential of one user, as published on {@code wxpush.credentials} (key
 * {@code appId:openId}) and stored in the user's pool.
 *
 * @param v record version, 1
 * @param templateId the subscribe template a grant is for; null for form_id and prepay_id
 * @param collectedAt when the mini-program got it, epoch ms (clamped to the time received)
 * @param expiresAt when it stops being valid, epoch ms; {@link Long#MAX_VALUE} for grants
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Credential(
    int v, String appId, String openId, CredentialKind kind, String value, String templateId, long collectedAt, long expiresAt) {

  public static final int VERSION = 1;

  public Credential {
    Objects.requireNonNull(appId, "appId");
    Objects.requireNonNull(openId, "openId");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(value, "value");
    if (kind == CredentialKind.SUBSCRIPTION) Objects.requireNonNull(templateId, "templateId");
  }

  public static Credential of(String appId, String openId, CredentialKind kind, String value, String templateId, long collectedAt) {
    long expiresAt = kind.lifetime().map(d -> collectedAt + d.toMillis()).orElse(Long.MAX_VALUE);
    return new Credential(VERSION, appId, openId, kind, value, kind == CredentialKind.SUBSCRIPTION ? templateId : null, collectedAt, expiresAt);
  }

  /** The Kafka key: all records of one user land on one partition, in order. */
  public String kafkaKey() {
    return appId + ":" + openId;
  }
}
