package io.wxpush.push;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.wxpush.client.PushRequest;
import io.wxpush.json.Json;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The push request checks the API (400 invalid_push) and PushClient share, field by field. */
class PushRequestParserTest {
  private final PushRequestParser parser = new PushRequestParser(Set.of("wxapp1"));

  /** A valid template push to two users, to break one field at a time. */
  private static ObjectNode valid() {
    return (ObjectNode) Json.MAPPER.valueToTree(Map.of("requestId", "order-42", "appId", "wxapp1", "kind", "template",
        "templateId", "TPL_ORDER", "data", Map.of("keyword1", "shipped"), "audience", Map.of("openIds", List.of("o-alice", "o-bob"))));
  }

  private static JsonNode json(String text) {
    try {
      return Json.MAPPER.readTree(text);
    } catch (Exception e) {
      throw new IllegalArgumentException(text, e);
    }
  }

  private PushRequest request(JsonNode body) {
    PushRequestParser.Result result = parser.parse(body);
    assertThat(result).as("%s", body).isInstanceOf(PushRequestParser.Valid.class);
    return ((PushRequestParser.Valid) result).request();
  }

  /** The fields named in the errors, in order. */
  private List<String> errors(JsonNode body) {
    PushRequestParser.Result result = parser.parse(body);
    assertThat(result).as("%s", body).isInstanceOf(PushRequestParser.Invalid.class);
    List<String> fields = new ArrayList<>();
    for (Map<String, String> e : ((PushRequestParser.Invalid) result).errors()) {
      assertThat(e.get("message")).isNotBlank();
      fields.add(e.get("field"));
    }
    return fields;
  }

  @Test
  void aValidRequestKeepsEveryFieldAndListsEachUserOnce() {
    ObjectNode body = valid();
    body.put("page", "pages/order/index?id=42");
    body.put("emphasisKeyword", "keyword1.DATA");
    body.put("miniprogramState", "trial");
    body.put("lang", "en_US");
    body.put("notAfter", 1_790_000_000_000L);
    body.set("audience", json("{\"openIds\":[\"o-bob\",\"o-alice\",\"o-bob\"]}"));

    PushRequest push = request(body);

    assertThat(push).isEqualTo(new PushRequest(PushRequest.VERSION, "order-42", "wxapp1", "template", "TPL_ORDER",
        "pages/order/index?id=42", Map.of("keyword1", "shipped"), "keyword1.DATA", "trial", "en_US",
        new PushRequest.Audience(List.of("o-bob", "o-alice"), null), 1_790_000_000_000L));
  }

  @Test
  void withoutARequestIdEachPushGetsAFreshOne() {
    ObjectNode body = valid();
    body.remove("requestId");
    String first = request(body).requestId();
    assertThat(first).matches("[0-9a-f-]{36}");
    assertThat(request(body).requestId()).isNotEqualTo(first);
  }

  @Test
  void everyoneAndWeChatsValueObjectsAreAccepted() {
    ObjectNode body = valid();
    body.set("audience", json("{\"all\":true}"));
    body.set("data", json("{\"thing1\":{\"value\":\"a parcel\"},\"number2\":\"3\"}"));
    body.put("kind", "subscribe");
    PushRequest push = request(body);
    assertThat(push.audience().everyone()).isTrue();
    assertThat(push.audience().openIds()).isNull();
    assertThat(push.data()).containsExactlyInAnyOrderEntriesOf(Map.of("thing1", "a parcel", "number2", "3"));
  }

  @Test
  void anEmptyBodyNamesEveryRequiredField() {
    assertThat(errors(json("{}"))).containsExactly("appId", "kind", "templateId", "audience");
  }

  /** A field of the wrong JSON type may be named twice (wrong type, then missing): each error names that field alone. */
  @ParameterizedTest(name = "{0}={1} -> {2}")
  @CsvSource(delimiter = '|', value = {
      "requestId        | \"has space\"                         | requestId",
      "requestId        | \"\"                                  | requestId",
      "requestId        | 42                                    | requestId",
      "appId            | \"wxnope\"                            | appId",
      "appId            | [\"wxapp1\"]                          | appId",
      "kind             | \"sms\"                               | kind",
      "templateId       | \"{bad}\"                             | templateId",
      "page             | \"/pages/index/index\"                | page",
      "page             | \"pages/a b\"                         | page",
      "data             | [\"shipped\"]                         | data",
      "data             | {\"1keyword\":\"x\"}                  | data.1keyword",
      "data             | {\"keyword1\":7}                      | data.keyword1",
      "data             | {\"keyword1\":{\"value\":7}}          | data.keyword1",
      "data             | {\"keyword1\":{\"text\":\"x\"}}       | data.keyword1",
      "emphasisKeyword  | \"keyword1\"                          | emphasisKeyword",
      "miniprogramState | \"production\"                        | miniprogramState",
      "lang             | \"fr_FR\"                             | lang",
      "notAfter         | 0                                     | notAfter",
      "notAfter         | \"tomorrow\"                          | notAfter",
      "notAfter         | 1.5                                   | notAfter",
      "audience         | {}                                    | audience.openIds",
      "audience         | []                                    | audience",
      "audience         | {\"all\":false}                       | audience.all",
      "audience         | {\"all\":\"yes\"}                     | audience.all",
      "audience         | {\"all\":true,\"openIds\":[\"o-a\"]}  | audience",
      "audience         | {\"openIds\":[]}                      | audience.openIds",
      "audience         | {\"openIds\":\"o-alice\"}             | audience.openIds",
      "audience         | {\"openIds\":[\"o-alice\",\"o bob\"]} | audience.openIds[1]",
      "audience         | {\"openIds\":[\"o-alice\",7]}         | audience.openIds[1]",
  })
  void oneBadFieldIsNamedAlone(String field, String value, String named) {
    ObjectNode body = valid();
    body.set(field, json(value));
    assertThat(errors(body)).containsOnly(named);
  }

  @Test
  void limitsOfLengthAndCountAreEnforced() {
    ObjectNode body = valid();
    body.put("page", "p".repeat(257));
    assertThat(errors(body)).containsExactly("page");

    body = valid();
    body.put("requestId", "r".repeat(65));
    assertThat(errors(body)).containsExactly("requestId");

    body = valid();
    body.set("data", json("{\"keyword1\":\"" + "x".repeat(1001) + "\"}"));
    assertThat(errors(body)).containsExactly("data.keyword1");

    body = valid();
    ObjectNode many = body.objectNode();
    for (int i = 0; i < 51; i++) many.put("keyword" + i, "x");
    body.set("data", many);
    assertThat(errors(body)).containsExactly("data");

    body = valid();
    List<String> tooMany = new ArrayList<>();
    for (int i = 0; i <= PushRequestParser.MAX_LISTED; i++) tooMany.add("o" + i);
    body.set("audience", Json.MAPPER.valueToTree(Map.of("openIds", tooMany)));
    assertThat(errors(body)).containsExactly("audience.openIds");
    tooMany.removeLast();
    body.set("audience", Json.MAPPER.valueToTree(Map.of("openIds", tooMany)));
    assertThat(request(body).audience().openIds()).hasSize(PushRequestParser.MAX_LISTED);
  }

  @Test
  void anEmphasisKeywordIsForTemplatePushesOnly() {
    ObjectNode body = valid();
    body.put("kind", "subscribe");
    body.put("emphasisKeyword", "keyword1.DATA");
    assertThat(errors(body)).containsExactly("emphasisKeyword");
  }

  @Test
  void everyProblemIsReportedAtOnce() {
    ObjectNode body = valid();
    body.put("appId", "wxnope");
    body.put("kind", "sms");
    body.put("lang", "fr_FR");
    body.set("audience", json("{\"openIds\":[]}"));
    assertThat(errors(body)).containsExactly("appId", "kind", "lang", "audience.openIds");
  }

  @Test
  void priorityAndTheRecallAudienceAreCheckedAndKept() {
    ObjectNode body = valid();
    body.put("priority", "critical");
    body.set("audience", json("{\"expiringWithin\":\"48h\"}"));
    PushRequest push = request(body);
    assertThat(push.critical()).isTrue();
    assertThat(push.audience().expiring()).isTrue();
    assertThat(push.audience().expiringWindow()).isEqualTo(Duration.ofHours(48));
    assertThat(request(valid()).priority()).as("normal when left out").isNull();

    body.put("priority", "urgent");
    body.set("audience", json("{\"expiringWithin\":\"30m\"}"));
    assertThat(errors(body)).containsExactly("priority", "audience.expiringWithin");
    body.put("priority", "low");
    body.set("audience", json("{\"expiringWithin\":\"2 days\"}"));
    assertThat(errors(body)).containsExactly("audience.expiringWithin");
    body.set("audience", json("{\"expiringWithin\":\"7d\",\"all\":true}"));
    assertThat(errors(body)).containsExactly("audience");
    body.set("audience", json("{\"expiringWithin\":\"90m\"}"));
    assertThat(request(body).low()).isTrue();
  }
}
