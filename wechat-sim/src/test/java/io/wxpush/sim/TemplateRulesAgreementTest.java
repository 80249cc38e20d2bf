package io.wxpush.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.wxpush.templates.KeywordRule;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * wxpush checks a subscribe push's values (KeywordRule) before it spends a grant; the sim checks
 * them again as WeChat would (its own TemplateDataValidator, written apart). Whatever wxpush takes
 * the sim must take too, or a push accepted with 202 would still die with 47003.
 */
class TemplateRulesAgreementTest {
  private static final Map<String, List<String>> SAMPLES = Map.ofEntries(
      Map.entry("thing1", List.of("订单", "订".repeat(20), "订".repeat(21), "a b c", "😀".repeat(20))),
      Map.entry("number2", List.of("1", "-3.5", "1".repeat(32), "1".repeat(33), "1e5", "12a")),
      Map.entry("letter3", List.of("abc", "a".repeat(32), "a".repeat(33), "ab1")),
      Map.entry("symbol4", List.of("%", "%%%%%", "%%%%%%")),
      Map.entry("character_string5", List.of("A-1_b", "x".repeat(32), "x".repeat(33), "有中文", "a b")),
      Map.entry("phrase6", List.of("已发货", "已经发货了", "已经发货了啊")),
      Map.entry("name7", List.of("张三", "张".repeat(10), "张".repeat(11), "Alexander Hamilton", "A".repeat(21))),
      Map.entry("phone_number8", List.of("+86 138-0000-0000", "1".repeat(17), "1".repeat(18), "call")),
      Map.entry("car_number9", List.of("粤A12345", "粤A1234567")),
      Map.entry("amount10", List.of("12", "¥12.50", "12.505", "12元", "1".repeat(11))),
      Map.entry("time11", List.of("15:01", "2026-12-01 15:01", "2026年12月1日 15:01", "15:01~16:00", "tomorrow")),
      Map.entry("date12", List.of("2026-12-01", "2026年12月1日", "2026/12/01 ~ 2026/12/03", "today")));

  @Test
  void everyValueWxpushTakesTheSimTakesToo() {
    int taken = 0;
    for (var sample : SAMPLES.entrySet()) {
      String keyword = sample.getKey();
      SimTemplate template = new SimTemplate("wxapp1", "T", SimTemplate.Kind.SUBSCRIBE, List.of(keyword), Set.of());
      for (String value : sample.getValue()) {
        boolean wxpush = KeywordRule.of(keyword).problem(value).isEmpty();
        boolean sim = TemplateDataValidator.check(template, Map.of(keyword, value)) == null;
        if (wxpush) {
          taken++;
          assertThat(sim).as("%s = %s: wxpush takes it, the sim must", keyword, value).isTrue();
        }
        assertThat(wxpush).as("%s = %s: the two agree", keyword, value).isEqualTo(sim);
      }
    }
    assertThat(taken).as("the samples hold values both take").isGreaterThan(20);
  }
}
