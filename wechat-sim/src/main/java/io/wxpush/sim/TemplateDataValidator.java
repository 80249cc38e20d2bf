package io.wxpush.sim;

import java.util.Map;
import java.util.regex.Pattern;

/**
 * Checks a message's {@code data} against its template as WeChat does: only the template's
 * keywords, and for subscribe messages every keyword present with a value that fits the rule
 * of its key prefix ({@code thing} ≤ 20 chars, {@code number} ≤ 32 digits, …, listed in
 * wechat-sim/README.md). Returns the errmsg of the 47003 answer naming the field, or {@code null}.
 * Stateless and thread-safe.
 */
final class TemplateDataValidator {
  private static final Pattern NUMBER = Pattern.compile("[+-]?\\d+(\\.\\d+)?");
  private static final Pattern LETTER = Pattern.compile("[A-Za-z]+");
  private static final Pattern ASCII = Pattern.compile("[\\x21-\\x7E]+");
  private static final Pattern PHONE = Pattern.compile("[0-9+\\- ]+");
  private static final Pattern AMOUNT = Pattern.compile("[¥￥$€£]?\\d{1,10}(\\.\\d{1,2})?元?");
  private static final String CLOCK = "\\d{1,2}:\\d{2}(:\\d{2})?";
  private static final String DAY = "\\d{4}[-/.]\\d{1,2}[-/.]\\d{1,2}|\\d{4}年\\d{1,2}月\\d{1,2}日";
  private static final Pattern TIME = Pattern.compile("((" + DAY + ")(\\s*" + CLOCK + ")?|" + CLOCK + ")(\\s*[~-]\\s*(" + DAY + ")?\\s*(" + CLOCK + ")?)?");
  private static final Pattern DATE = TIME;
  static final int MAX_TEMPLATE_VALUE = 200;

  private TemplateDataValidator() {}

  /** {@code null} when valid, else the errmsg naming the first offending field. */
  static String check(SimTemplate template, Map<String, String> data) {
    for (var entry : data.entrySet()) {
      if (!template.keywords().contains(entry.getKey())) return invalid(entry.getKey());
    }
    if (template.kind() == SimTemplate.Kind.TEMPLATE) {
      for (var entry : data.entrySet()) {
        if (entry.getValue().length() > MAX_TEMPLATE_VALUE) return invalid(entry.getKey());
      }
      return null;
    }
    for (String keyword : template.keywords()) {
      String value = data.get(keyword);
      if (value == null || value.isEmpty()) return "argument invalid! data." + keyword + ".value is empty";
      if (!fits(prefixOf(keyword), value)) return invalid(keyword);
    }
    return null;
  }

  /** The rule name of a keyword: {@code thing3} → {@code thing}, {@code character_string12} → {@code character_string}. */
  static String prefixOf(String keyword) {
    int end = keyword.length();
    while (end > 0 && Character.isDigit(keyword.charAt(end - 1))) end--;
    return keyword.substring(0, end);
  }

  static boolean fits(String rule, String value) {
    int chars = value.codePointCount(0, value.length());
    return switch (rule) {
      case "thing" -> chars <= 20;
      case "number" -> chars <= 32 && NUMBER.matcher(value).matches();
      case "letter" -> chars <= 32 && LETTER.matcher(value).matches();
      case "symbol" -> chars <= 5;
      case "character_string" -> chars <= 32 && ASCII.matcher(value).matches();
      case "phrase" -> chars <= 5;
      case "name" -> value.chars().allMatch(c -> c < 128) ? chars <= 20 : chars <= 10;
      case "phone_number" -> chars <= 17 && PHONE.matcher(value).matches();
      case "car_number" -> chars <= 8;
      case "amount" -> AMOUNT.matcher(value).matches();
      case "time" -> TIME.matcher(value).matches();
      case "date" -> DATE.matcher(value).matches();
      default -> chars <= MAX_TEMPLATE_VALUE;
    };
  }

  private static String invalid(String key) {
    return "argument invalid! data." + key + ".value invalid";
  }
}
