package io.wxpush.ingest.templates;

import static org.assertj.core.api.Assertions.assertThat;

import io.wxpush.client.PushRequest;
import io.wxpush.push.PushRequestParser;
import io.wxpush.templates.AppTemplates;
import io.wxpush.templates.KeywordRule;
import io.wxpush.templates.Template;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TemplateCheckTest {
  private static final Template SHIPPED = Template.subscribe("TPL_SHIP", "发货通知", "物品名称:{{thing1.DATA}}\n发货时间:{{time2.DATA}}", 2);
  private static final AppTemplates LIST = new AppTemplates("wxapp1", 1L, Map.of(SHIPPED.id(), SHIPPED), Set.of());

  private static PushRequest push(String kind, String templateId, Map<String, String> data) {
    PushRequestParser parser = new PushRequestParser(Set.of("wxapp1"));
    var body = io.wxpush.json.Json.MAPPER.valueToTree(Map.of("appId", "wxapp1", "kind", kind, "templateId", templateId, "data", data,
        "audience", Map.of("openIds", List.of("o-1"))));
    return ((PushRequestParser.Valid) parser.parse((com.fasterxml.jackson.databind.JsonNode) body)).request();
  }

  private static List<String> fields(List<Map<String, String>> problems) {
    return problems.stream().map(p -> p.get("field")).toList();
  }

  @Test
  void contentNamesTheKeywords() {
    assertThat(SHIPPED.keywords()).extracting(Template.Keyword::name).containsExactly("thing1", "time2");
    assertThat(SHIPPED.keywords()).extracting(Template.Keyword::rule).containsExactly(KeywordRule.THING, KeywordRule.TIME);
  }

  @Test
  void aPushThatFitsHasNoProblem() {
    assertThat(TemplateCheck.problems(push("subscribe", "TPL_SHIP", Map.of("thing1", "订".repeat(20), "time2", "2026-12-01 15:01")),
        Optional.of(LIST), Map.of())).isEmpty();
  }

  @Test
  void oneFieldErrorPerProblem() {
    var problems = TemplateCheck.problems(push("subscribe", "TPL_SHIP", Map.of("thing1", "订".repeat(21), "phrase9", "x")),
        Optional.of(LIST), Map.of());
    assertThat(fields(problems)).containsExactlyInAnyOrder("data.phrase9", "data.thing1", "data.time2");
    assertThat(problems).anySatisfy(p -> assertThat(p.get("message")).contains("is required"));
  }

  @Test
  void anUnknownOrGoneTemplateIsNamed() {
    assertThat(fields(TemplateCheck.problems(push("subscribe", "TPL_NOPE", Map.of("thing1", "x")), Optional.of(LIST), Map.of())))
        .containsExactly("templateId");
    AppTemplates gone = new AppTemplates("wxapp1", 1L, LIST.templates(), Set.of("TPL_SHIP"));
    assertThat(fields(TemplateCheck.problems(push("subscribe", "TPL_SHIP", Map.of("thing1", "x", "time2", "15:01")), Optional.of(gone), Map.of())))
        .containsExactly("templateId");
  }

  @Test
  void beforeTheListIsLoadedNothingCanBeSaid() {
    assertThat(TemplateCheck.problems(push("subscribe", "TPL_NOPE", Map.of("thing1", "x")), Optional.empty(), Map.of())).isEmpty();
  }

  @Test
  void legacyTemplatesAreCheckedOnlyWhenTheOperatorListsThem() {
    PushRequest legacy = push("template", "TPL_ORDER", Map.of("keyword1", "a", "keyword9", "b"));
    assertThat(TemplateCheck.problems(legacy, Optional.of(LIST), Map.of())).isEmpty();
    Map<String, Map<String, Template>> listed = Template.parseLegacy("wxapp1:TPL_ORDER:keyword1|keyword2,wxapp1:TPL_FREE", Set.of("wxapp1"));
    assertThat(fields(TemplateCheck.problems(legacy, Optional.empty(), listed.get("wxapp1")))).containsExactly("data.keyword9");
    assertThat(TemplateCheck.problems(push("template", "TPL_FREE", Map.of("anything1", "x")), Optional.empty(), listed.get("wxapp1"))).isEmpty();
    assertThat(fields(TemplateCheck.problems(push("template", "TPL_ELSE", Map.of("keyword1", "x")), Optional.empty(), listed.get("wxapp1"))))
        .containsExactly("templateId");
  }
}
