package io.wxpush.ingest.templates;

import static org.assertj.core.api.Assertions.assertThat;

import io.wxpush.templates.KeywordRule;
import io.wxpush.templates.Template;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The console checks a subscribe keyword's value only with what {@code GET /v1/templates} gives for
 * it (maxLength and pattern, both from common's {@link KeywordRule}), and that check agrees with
 * {@link KeywordRule#problem} for every keyword type: the console holds no copy of the rules.
 */
class ConsoleKeywordRulesTest {
  /** Values near each type's edges: lengths, shapes, ASCII and not, a character outside the BMP. */
  private static final List<String> SAMPLES = List.of(
      "a", "x".repeat(5), "x".repeat(6), "x".repeat(8), "x".repeat(9), "x".repeat(10), "x".repeat(11),
      "x".repeat(17), "x".repeat(18), "x".repeat(20), "x".repeat(21), "1".repeat(32), "1".repeat(33),
      "x".repeat(200), "x".repeat(201), "张".repeat(10), "张".repeat(11), "张三 Li", "𠀀".repeat(10), "𠀀".repeat(11),
      "12", "-3.5", "+7", "1.", "abc", "AbC", "ab1", "A-1_b!", "a b", "+86 138-0000-0000", "138x",
      "¥12.50", "12.505", "12345678901", "99元", "$1", "15:01", "2026-12-01", "2026-12-01 15:01",
      "2026年12月1日 15:01", "15:01 ~ 16:00", "2026-12-01 - 2026-12-03", "tomorrow", "京A12345", "");

  /** What the console's keywordProblem decides from one keyword's entry of GET /v1/templates. */
  private static boolean consoleAccepts(Map<String, Object> keyword, String value) {
    if (value.isEmpty()) return false;
    Object max = keyword.get("maxLength");
    if (max != null && value.codePointCount(0, value.length()) > (Integer) max) return false;
    Object pattern = keyword.get("pattern");
    return pattern == null || Pattern.compile("^(?:" + pattern + ")$").matcher(value).matches();
  }

  @SuppressWarnings("unchecked")
  @Test
  void theTemplatesListGivesTheConsoleEveryKeywordRuleAndItsCheckAgreesWithKeywordRule() {
    StringBuilder content = new StringBuilder();
    List<String> names = new ArrayList<>();
    int i = 1;
    for (KeywordRule rule : KeywordRule.values()) {
      String name = (rule == KeywordRule.OTHER ? "newtype" : rule.prefix()) + i++;
      names.add(name);
      content.append(name).append(":{{").append(name).append(".DATA}}\n");
    }
    Map<String, Object> listed = TemplatesHandler.describe(Template.subscribe("TPL_ALL", "every type", content.toString(), 2));
    List<Map<String, Object>> keywords = (List<Map<String, Object>>) listed.get("keywords");
    assertThat(keywords).extracting(k -> k.get("name")).containsExactlyElementsOf(names);

    List<String> disagreements = new ArrayList<>();
    for (Map<String, Object> k : keywords) {
      KeywordRule rule = KeywordRule.of((String) k.get("name"));
      for (String value : SAMPLES) {
        boolean server = rule.problem(value).isEmpty();
        if (consoleAccepts(k, value) != server) {
          disagreements.add(rule + " '" + value + "': console " + (server ? "refuses" : "accepts") + ", KeywordRule " + (server ? "accepts" : "refuses"));
        }
      }
    }
    assertThat(disagreements).isEmpty();
  }

  @Test
  void theConsoleReadsTheRulesFromTheTemplatesListAndKeepsNoTableOfItsOwn() throws IOException {
    String app;
    try (InputStream in = TemplatesHandler.class.getResourceAsStream("/console/app.js")) {
      assertThat(in).as("console/app.js on the classpath").isNotNull();
      app = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    int start = app.indexOf("function keywordProblem(");
    assertThat(start).isNotNegative();
    String check = app.substring(start, app.indexOf("\n}\n", start));
    assertThat(check).contains("k.maxLength", "k.pattern");
    // no limits or shapes written into the console: no type names, no numbers, no regex literals
    for (KeywordRule rule : KeywordRule.values()) {
      if (rule != KeywordRule.OTHER) assertThat(check).doesNotContain("'" + rule.prefix() + "'").doesNotContain(rule.prefix() + ":");
    }
    assertThat(check).doesNotContainPattern("[^\\w.](5|8|10|17|20|32|200)[^\\w]").doesNotContain("/^");
  }
}
