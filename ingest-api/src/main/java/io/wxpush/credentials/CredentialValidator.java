package io.wxpush.credentials;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Checks one uploaded credential against the upload rules (README, HTTP API) and turns it into a {@link Credential}, or
 * names why it is refused. Stateless and thread-safe.
 */
public final class CredentialValidator {
  /** The value devtools hands out instead of a real formId. */
  public static final String DEVTOOLS_MOCK_FORM_ID = "the formId is a mock one";
  /** Longest accepted credential value or template id, in characters. */
  public static final int MAX_VALUE_LENGTH = 128;
  private static final Pattern VALUE = Pattern.compile("[\\x21-\\x7E]{1," + MAX_VALUE_LENGTH + "}");
  private static final Pattern TEMPLATE_ID = Pattern.compile("[A-Za-z0-9_-]{1," + MAX_VALUE_LENGTH + "}");

  /** Every reason {@link Rejected} may carry: a small fixed set, so it is a bounded metric tag. */
  public static final List<String> REASONS = List.of("not_an_object", "kind_missing", "unknown_kind",
      "value_missing", "mock_form_id", "value_too_long", "value_invalid", "template_id_missing", "template_id_invalid",
      "collected_at_missing", "collected_at_invalid", "expired", "unknown_template", "grant_source_events");

  private final Clock clock;

  public CredentialValidator(Clock clock) {
    this.clock = clock;
  }

  /** The outcome for one item: a credential, or a stable reason code. */
  public sealed interface Result permits Accepted, Rejected {}

  public record Accepted(Credential credential) implements Result {}

  /** @param reason a stable machine-readable code, e.g. {@code expired} */
  public record Rejected(String reason) implements Result {}

  public Result validate(String appId, String openId, JsonNode item) {
    if (item == null || !item.isObject()) return new Rejected("not_an_object");
    JsonNode kindNode = item.get("kind");
    if (kindNode == null || !kindNode.isTextual()) return new Rejected("kind_missing");
    var kind = CredentialKind.parse(kindNode.asText());
    if (kind.isEmpty()) return new Rejected("unknown_kind");
    JsonNode valueNode = item.get("value");
    if (valueNode == null || !valueNode.isTextual() || valueNode.asText().isEmpty()) return new Rejected("value_missing");
    String value = valueNode.asText();
    if (value.equals(DEVTOOLS_MOCK_FORM_ID)) return new Rejected("mock_form_id");
    if (value.length() > MAX_VALUE_LENGTH) return new Rejected("value_too_long");
    if (!VALUE.matcher(value).matches()) return new Rejected("value_invalid");
    String templateId = null;
    if (kind.get() == CredentialKind.SUBSCRIPTION) {
      JsonNode t = item.get("templateId");
      if (t == null || !t.isTextual() || t.asText().isEmpty()) return new Rejected("template_id_missing");
      templateId = t.asText();
      if (!TEMPLATE_ID.matcher(templateId).matches()) return new Rejected("template_id_invalid");
    }
    JsonNode collected = item.get("collectedAt");
    if (collected == null || !collected.isIntegralNumber() || !collected.canConvertToLong()) return new Rejected("collected_at_missing");
    long now = clock.millis();
    long collectedAt = Math.min(collected.asLong(), now); // from the future: clamped to now
    if (collectedAt <= 0) return new Rejected("collected_at_invalid");
    var lifetime = kind.get().lifetime();
    if (lifetime.isPresent() && collectedAt + lifetime.get().toMillis() <= now) return new Rejected("expired");
    return new Accepted(Credential.of(appId, openId, kind.get(), value, templateId, collectedAt));
  }

  /** Lifetime of form_id and prepay_id. */
  public static Duration formIdLifetime() {
    return CredentialKind.FORM_ID.lifetime().orElseThrow();
  }
}
