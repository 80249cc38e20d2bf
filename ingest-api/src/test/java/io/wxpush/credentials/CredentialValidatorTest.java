package io.wxpush.credentials;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.wxpush.json.Json;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every upload rule of one credential item, each with the reason code the API answers. */
class CredentialValidatorTest {
  private static final Instant NOW = Instant.parse("2026-11-23T10:00:00Z");
  private static final long NOW_MS = NOW.toEpochMilli();
  private static final long DAY = Duration.ofDays(1).toMillis();
  private final CredentialValidator validator = new CredentialValidator(Clock.fixed(NOW, ZoneOffset.UTC));

  private static JsonNode json(String text) {
    try {
      return Json.MAPPER.readTree(text);
    } catch (Exception e) {
      throw new IllegalArgumentException(text, e);
    }
  }

  private CredentialValidator.Result validate(String item) {
    return validator.validate("wxapp1", "o-alice", json(item));
  }

  private String reason(String item) {
    CredentialValidator.Result result = validate(item);
    assertThat(result).as(item).isInstanceOf(CredentialValidator.Rejected.class);
    String reason = ((CredentialValidator.Rejected) result).reason();
    assertThat(CredentialValidator.REASONS).as("reasons are a bounded metric tag").contains(reason);
    return reason;
  }

  private Credential accepted(String item) {
    CredentialValidator.Result result = validate(item);
    assertThat(result).as(item).isInstanceOf(CredentialValidator.Accepted.class);
    return ((CredentialValidator.Accepted) result).credential();
  }

  private static String formId(String value, long collectedAt) {
    return "{\"kind\":\"form_id\",\"value\":" + Json.writeString(value) + ",\"collectedAt\":" + collectedAt + "}";
  }

  @Test
  void aFreshFormIdBecomesTheTokensUsersCredentialExpiringSevenDaysAfterCollection() {
    Credential c = accepted(formId("f-1", NOW_MS - DAY));
    assertThat(c).isEqualTo(new Credential(Credential.VERSION, "wxapp1", "o-alice", CredentialKind.FORM_ID, "f-1", null,
        NOW_MS - DAY, NOW_MS - DAY + 7 * DAY));
  }

  @Test
  void aPrepayIdAndAGrantAreAcceptedWithTheirOwnLifetimes() {
    Credential prepay = accepted("{\"kind\":\"prepay_id\",\"value\":\"wx2026\",\"collectedAt\":" + (NOW_MS - 2 * DAY) + "}");
    assertThat(prepay.kind()).isEqualTo(CredentialKind.PREPAY_ID);
    assertThat(prepay.expiresAt()).isEqualTo(NOW_MS + 5 * DAY);
    // a grant has no time limit: one collected a month ago is still good, and keeps its template
    Credential grant = accepted("{\"kind\":\"subscription\",\"templateId\":\"TPL_SUB-1\",\"value\":\"g1\",\"collectedAt\":" + (NOW_MS - 30 * DAY) + "}");
    assertThat(grant.templateId()).isEqualTo("TPL_SUB-1");
    assertThat(grant.expiresAt()).isEqualTo(Long.MAX_VALUE);
  }

  @Test
  void aCollectionTimeInTheFutureIsClampedToNow() {
    Credential c = accepted(formId("f-1", NOW_MS + 3 * DAY));
    assertThat(c.collectedAt()).isEqualTo(NOW_MS);
    assertThat(c.expiresAt()).isEqualTo(NOW_MS + 7 * DAY);
  }

  @Test
  void aFormIdCollectedSevenDaysAgoOrEarlierIsExpired() {
    assertThat(reason(formId("f-1", NOW_MS - 8 * DAY))).isEqualTo("expired");
    assertThat(reason(formId("f-1", NOW_MS - 7 * DAY))).as("exactly 7 days: expires now").isEqualTo("expired");
    assertThat(accepted(formId("f-1", NOW_MS - 7 * DAY + 1)).expiresAt()).isEqualTo(NOW_MS + 1);
    assertThat(reason("{\"kind\":\"prepay_id\",\"value\":\"p\",\"collectedAt\":" + (NOW_MS - 8 * DAY) + "}")).isEqualTo("expired");
  }

  @Test
  void theDevtoolsMockFormIdIsRefused() {
    assertThat(reason(formId("the formId is a mock one", NOW_MS))).isEqualTo("mock_form_id");
  }

  @Test
  void aValueOfMoreThan128CharactersIsTooLong() {
    assertThat(accepted(formId("x".repeat(128), NOW_MS)).value()).hasSize(128);
    assertThat(reason(formId("x".repeat(129), NOW_MS))).isEqualTo("value_too_long");
    assertThat(reason(formId("x".repeat(70_000), NOW_MS))).isEqualTo("value_too_long");
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', value = {
      // the item itself
      "[]                                                                  | not_an_object",
      "\"form_id\"                                                         | not_an_object",
      "null                                                                | not_an_object",
      // kind
      "{\"value\":\"v\",\"collectedAt\":1}                                 | kind_missing",
      "{\"kind\":7,\"value\":\"v\",\"collectedAt\":1}                      | kind_missing",
      "{\"kind\":\"sms\",\"value\":\"v\",\"collectedAt\":1}                | unknown_kind",
      "{\"kind\":\"FORM_ID\",\"value\":\"v\",\"collectedAt\":1}            | unknown_kind",
      // value
      "{\"kind\":\"form_id\",\"collectedAt\":1}                            | value_missing",
      "{\"kind\":\"form_id\",\"value\":\"\",\"collectedAt\":1}             | value_missing",
      "{\"kind\":\"form_id\",\"value\":[],\"collectedAt\":1}               | value_missing",
      "{\"kind\":\"form_id\",\"value\":\"a b\",\"collectedAt\":1}          | value_invalid",
      "{\"kind\":\"form_id\",\"value\":\"caf\u00e9\",\"collectedAt\":1}     | value_invalid",
      // templateId of a grant
      "{\"kind\":\"subscription\",\"value\":\"g\",\"collectedAt\":1}       | template_id_missing",
      "{\"kind\":\"subscription\",\"templateId\":\"\",\"value\":\"g\",\"collectedAt\":1} | template_id_missing",
      "{\"kind\":\"subscription\",\"templateId\":\"{bad}\",\"value\":\"g\",\"collectedAt\":1} | template_id_invalid",
      // collectedAt
      "{\"kind\":\"form_id\",\"value\":\"v\"}                              | collected_at_missing",
      "{\"kind\":\"form_id\",\"value\":\"v\",\"collectedAt\":\"yesterday\"} | collected_at_missing",
      "{\"kind\":\"form_id\",\"value\":\"v\",\"collectedAt\":1.5}          | collected_at_missing",
      "{\"kind\":\"form_id\",\"value\":\"v\",\"collectedAt\":1e308}        | collected_at_missing",
      "{\"kind\":\"form_id\",\"value\":\"v\",\"collectedAt\":99999999999999999999} | collected_at_missing",
      "{\"kind\":\"form_id\",\"value\":\"v\",\"collectedAt\":0}            | collected_at_invalid",
      "{\"kind\":\"form_id\",\"value\":\"v\",\"collectedAt\":-5}           | collected_at_invalid",
  })
  void eachMalformedItemIsRejectedWithItsReason(String item, String expected) {
    assertThat(reason(item)).isEqualTo(expected);
  }

  @Test
  void aFormIdIgnoresATemplateIdAndTheUserComesFromTheCallerNotTheItem() {
    Credential c = accepted("{\"kind\":\"form_id\",\"templateId\":\"T\",\"openId\":\"o-mallory\",\"appId\":\"wxother\",\"value\":\"f\",\"collectedAt\":" + NOW_MS + "}");
    assertThat(c.templateId()).isNull();
    assertThat(c.openId()).isEqualTo("o-alice");
    assertThat(c.appId()).isEqualTo("wxapp1");
  }
}
