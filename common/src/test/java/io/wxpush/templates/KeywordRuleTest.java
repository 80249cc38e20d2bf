package io.wxpush.templates;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class KeywordRuleTest {
  @Test
  void theTypeIsTheKeywordsPrefix() {
    assertThat(KeywordRule.of("thing1")).isEqualTo(KeywordRule.THING);
    assertThat(KeywordRule.of("character_string12")).isEqualTo(KeywordRule.CHARACTER_STRING);
    assertThat(KeywordRule.of("phone_number3")).isEqualTo(KeywordRule.PHONE_NUMBER);
    assertThat(KeywordRule.of("keyword1")).isEqualTo(KeywordRule.OTHER);
  }

  @Test
  void thingCountsCharactersNotBytes() {
    assertThat(KeywordRule.THING.problem("订".repeat(20))).isEmpty();
    assertThat(KeywordRule.THING.problem("订".repeat(21))).get().asString().contains("20 characters").contains("got 21");
    assertThat(KeywordRule.THING.problem("😀".repeat(20))).as("code points, not UTF-16 units").isEmpty();
    assertThat(KeywordRule.THING.problem("")).isPresent();
  }

  @Test
  void eachTypeKeepsWeChatsLimit() {
    assertThat(KeywordRule.NUMBER.problem("1".repeat(32))).isEmpty();
    assertThat(KeywordRule.NUMBER.problem("1".repeat(33))).isPresent();
    assertThat(KeywordRule.NUMBER.problem("12a")).isPresent();
    assertThat(KeywordRule.LETTER.problem("abcXYZ")).isEmpty();
    assertThat(KeywordRule.LETTER.problem("abc1")).isPresent();
    assertThat(KeywordRule.SYMBOL.problem("%%%%%")).isEmpty();
    assertThat(KeywordRule.SYMBOL.problem("%%%%%%")).isPresent();
    assertThat(KeywordRule.CHARACTER_STRING.problem("A-1_b")).isEmpty();
    assertThat(KeywordRule.CHARACTER_STRING.problem("有中文")).isPresent();
    assertThat(KeywordRule.PHRASE.problem("已发货")).isEmpty();
    assertThat(KeywordRule.PHRASE.problem("已经发货了啊")).isPresent();
    assertThat(KeywordRule.NAME.problem("张三丰")).isEmpty();
    assertThat(KeywordRule.NAME.problem("Alexander Hamilton")).as("18 letters").isEmpty();
    assertThat(KeywordRule.NAME.problem("张".repeat(11))).isPresent();
    assertThat(KeywordRule.PHONE_NUMBER.problem("+86 138-0000-0000")).isEmpty();
    assertThat(KeywordRule.PHONE_NUMBER.problem("call me")).isPresent();
    assertThat(KeywordRule.CAR_NUMBER.problem("粤A12345")).isEmpty();
    assertThat(KeywordRule.CAR_NUMBER.problem("粤A1234567")).isPresent();
    assertThat(KeywordRule.AMOUNT.problem("¥12.50")).isEmpty();
    assertThat(KeywordRule.AMOUNT.problem("12.505")).isPresent();
    assertThat(KeywordRule.TIME.problem("2026-12-01 15:01")).isEmpty();
    assertThat(KeywordRule.TIME.problem("tomorrow")).isPresent();
    assertThat(KeywordRule.DATE.problem("2026年12月1日")).isEmpty();
    assertThat(KeywordRule.OTHER.problem("x".repeat(200))).isEmpty();
    assertThat(KeywordRule.OTHER.problem("x".repeat(201))).isPresent();
  }
}
