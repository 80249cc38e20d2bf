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

  private static final String HOUR = "[0-9]{1,2}:[0-9]{2}(:[0-9]{2})?";
  private static final String DAY = "[0-9]{4}[-/.][0-9]{1,2}[-/.][0-9]{1,2}|[0-9]{4}年[0-9]{1,2}月[0-9]{1,2}日";
  private static final String MOMENT = "(" + DAY + ")(\\s*" + HOUR + ")?|" + HOUR;
  private static final String MOMENTS = "(" + MOMENT + ")(\\s*[~-]\\s*(" + MOMENT + "))?";

  private final String prefix;
  private final String limit;
  private final Pattern shape;

  KeywordRule(String prefix, String limit) {
    this.prefix = prefix;
    this.limit = limit;
    this.shape = pattern().isEmpty() ? null : Pattern.compile(pattern());
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

  /**
   * The regular expression a whole value must match besides {@link #maxLength()}, as
   * {@code GET /v1/templates} shows it ({@code pattern}, read by the console); empty when only the
   * length counts. Written in the syntax Java and JavaScript (with the {@code u} flag) share.
   */
  public String pattern() {
    return switch (this) {
      case NUMBER -> "[+-]?[0-9]+(\\.[0-9]+)?";
      case LETTER -> "[A-Za-z]+";
      case CHARACTER_STRING -> "[\\x21-\\x7E]+";
      case NAME -> "[\\x00-\\x7F]+|[\\s\\S]{1,10}"; // 20 when all are ASCII, else 10
      case PHONE_NUMBER -> "[0-9+\\- ]+";
      case AMOUNT -> "[¥￥$€£]?[0-9]{1,10}(\\.[0-9]{1,2})?元?";
      case TIME, DATE -> MOMENTS;
      case THING, SYMBOL, PHRASE, CAR_NUMBER, OTHER -> "";
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
    boolean fits = (maxLength() == 0 || chars <= maxLength()) && (shape == null || shape.matcher(value).matches());
    return fits ? Optional.empty() : Optional.of("breaks the " + (this == OTHER ? "value" : prefix) + " limit: " + limit + " (got " + chars + " characters)");
  }
}
