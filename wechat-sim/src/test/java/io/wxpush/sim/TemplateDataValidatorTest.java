package io.wxpush.sim;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TemplateDataValidatorTest {
  @ParameterizedTest(name = "{0}={1} -> {2}")
  @CsvSource(delimiter = '|', value = {
      "thing1|twenty chars exactly|true",
      "thing1|twenty-one chars here|false",
      "number2|12345678901234567890123456789012|true",
      "number2|123456789012345678901234567890123|false",
      "number2|12a|false",
      "number3|3.14|true",
      "letter1|abcXYZ|true",
      "letter1|abc1|false",
      "symbol1|%%%%%|true",
      "symbol1|%%%%%%|false",
      "character_string4|ORDER-2024-0001|true",
      "character_string4|订单号|false",
      "character_string4|123456789012345678901234567890123|false",
      "phrase5|已发货|true",
      "phrase5|已经发货了啦|false",
      "name6|张三|true",
      "name6|一二三四五六七八九十一|false",
      "name6|Alexander Hamilton|true",
      "name6|Alexander Hamilton Jr.|false",
      "phone_number7|+86-138-0013-8000|true",
      "phone_number7|+86-138-0013-80001|false",
      "phone_number7|call me|false",
      "car_number8|粤A12345|true",
      "car_number8|粤A123456X|false",
      "amount9|¥100.50|true",
      "amount9|100元|true",
      "amount9|12345678901|false",
      "amount9|lots|false",
      "time10|15:01|true",
      "time10|2019-10-01 15:01|true",
      "time10|2019年10月1日 15:01|true",
      "time10|later|false",
      "date11|2019-10-01|true",
      "date11|2019年10月1日|true",
      "date11|Oct 1|false",
  })
  void valueRuleFollowsTheKeyPrefix(String key, String value, boolean valid) {
    assertThat(TemplateDataValidator.fits(TemplateDataValidator.prefixOf(key), value)).isEqualTo(valid);
  }
}
