package io.wxpush.templates;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What WeChat accepts as the value of a subscribe-message keyword, by the keyword's type: the
 * letters before its digits ({@code thing1} is a {@link #THING}). The limits are WeChat's
 * (WECHAT-API.md, "Subscribe message"); a value that breaks one is answered 47003 after a grant is
 * spent, so wxpush checks them before. Stateless and thread-safe.
 */
public enum KeywordRule {
  THING("thing", "at most 20 characters"),
  NUMBER("number", "a number of at most 32 characters (digits, a sign, a decimal point)"),
  LETTER("letter", "at most 32 letters A-Z, a-z"),
  SYMBOL("symbol", "at most 5 characters"),
  CHARACTER_STRING("character_string", "at most 32 letters, digits and ASCII symbols"),
  PHRASE("phrase", "at most 5 characters"),
  NAME("name", "at most 10 characters, or 20 when all are ASCII"),
  PHONE_NUMBER("phone_number", "at most 17 digits, '+', '-' and spaces"),
  CAR_NUMBER("car_number", "at most 8 characters"),
  AMOUNT("amount", "one optional currency symbol, at most 10 digits, up to 2 decimals, an optional 元"),
  TIME("time", "a time or date-time, e.g. 15:01, 2026-12-01 15:01 or 2026年12月1日 15:01, optionally a range"),
  DATE("date", "a date or date-time, e.g. 2026-12-01 or 2026年12月1日, optionally a range"),
  /** A type WeChat has added since: no limit known here, only a sanity bound. */
  OTHER("", "at most 200 characters");

  /** The longest value accepted for a type without a known limit. */
  public static final int OTHER_MAX = 200;

  private static final Pattern NUMBER_VALUE = Pattern.compile("[+-]?[0-9]+(\\.[0-9]+)?");
  private static final Pattern LETTERS = Pattern.compile("[A-Za-z]+");
  private static final Pattern ASCII_WORD = Pattern.compile("[\\x21-\\x7E]+");
  private static final Pattern PHONE = Pattern.compile("[0-9+\\- ]+");
  private static final Pattern MONEY = Pattern.compile("[¥￥$€£]?[0-9]{1,10}(\\.[0-9]{1,2})?元?");
  private static final String HOUR = "[0-9]{1,2}:[0-9]{2}(:[0-9]{2})?";
  private static final String DAY = "[0-9]{4}[-/.][0-9]{1,2}[-/.][0-9]{1,2}|[0-9]{4}年[0-9]{1,2}月[0-9]{1,2}日";
  private static final String MOMENT = "(" + DAY + ")(\\s*" + HOUR + ")?|" + HOUR;
  private static final Pattern MOMENTS = Pattern.compile("(" + MOMENT + ")(\\s*[~-]\\s*(" + MOMENT + "))?");

  private final String prefix;
  private final String limit;

  KeywordRule(String prefix, String limit) {
    this.prefix = prefix;
    this.limit = limit;
  }

  /** The type's name as WeChat writes it in a keyword ({@code character_string}); empty for {@link #OTHER}. */
  public String prefix() {
    return prefix;
  }

  /**
   * The most characters (Unicode code points) a value may have, as {@code GET /v1/templates} shows
   * it ({@code maxLength}); 0 for a type whose limit is its shape (amount, time, date). A name of
   * ASCII characters only may have 20.
   */
  public int maxLength() {
    return switch (this) {
      case THING, NAME -> 20;
      case NUMBER, LETTER, CHARACTER_STRING -> 32;
      case SYMBOL, PHRASE -> 5;
      case PHONE_NUMBER -> 17;
      case CAR_NUMBER -> 8;
      case OTHER -> OTHER_MAX;
      case AMOUNT, TIME, DATE -> 0;
    };
  }

  /** The limit in words, as {@code GET /v1/templates} shows it. */
  public String limit() {
    return limit;
  }

  /** The rule of a keyword name: {@code thing3} → THING, {@code character_string12} → CHARACTER_STRING. */
  public static KeywordRule of(String keyword) {
    int end = keyword.length();
    while (end > 0 && Character.isDigit(keyword.charAt(end - 1))) end--;
    String type = keyword.substring(0, end);
    for (KeywordRule r : values()) if (r != OTHER && r.prefix.equals(type)) return r;
    return OTHER;
  }

  /** Why {@code value} breaks this rule, or empty when WeChat takes it. An empty value never fits. */
  public Optional<String> problem(String value) {
    if (value == null || value.isEmpty()) return Optional.of("is empty: every keyword needs a value");
    int chars = value.codePointCount(0, value.length());
    boolean fits = switch (this) {
      case THING -> chars <= 20;
      case NUMBER -> chars <= 32 && NUMBER_VALUE.matcher(value).matches();
      case LETTER -> chars <= 32 && LETTERS.matcher(value).matches();
      case SYMBOL, PHRASE -> chars <= 5;
      case CHARACTER_STRING -> chars <= 32 && ASCII_WORD.matcher(value).matches();
      case NAME -> value.chars().allMatch(c -> c < 128) ? chars <= 20 : chars <= 10;
      case PHONE_NUMBER -> chars <= 17 && PHONE.matcher(value).matches();
      case CAR_NUMBER -> chars <= 8;
      case AMOUNT -> MONEY.matcher(value).matches();
      case TIME, DATE -> MOMENTS.matcher(value).matches();
      case OTHER -> chars <= OTHER_MAX;
    };
    return fits ? Optional.empty() : Optional.of("breaks the " + (this == OTHER ? "value" : prefix) + " limit: " + limit + " (got " + chars + " characters)");
  }
}
