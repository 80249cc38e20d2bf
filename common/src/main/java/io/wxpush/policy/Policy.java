package io.wxpush.policy;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How an app spends its users' credentials ({@code GET|PUT /v1/apps/{appId}/policy}): a quiet
 * window in which nothing but {@code critical} pushes is sent, a cap on messages per user per day,
 * and whether {@code low} pushes leave a user's last credential alone. Immutable.
 *
 * @param quietHours the window, or null for none
 * @param maxPerUserPerDay most messages one user gets from the app per day (from midnight in {@link #zone()}), or null for no cap
 * @param reserveLast a {@code low} push never spends a user's last credential
 */
public record Policy(QuietHours quietHours, Integer maxPerUserPerDay, boolean reserveLast) {
  /** Where days begin when the policy names no zone: WeChat's own, Beijing time. */
  public static final ZoneId DEFAULT_ZONE = ZoneId.of("Asia/Shanghai");

  /** Highest cap accepted: well above what any app sends one user in a day. */
  public static final int MAX_CAP = 1000;

  /** No window, no cap, no reserve. */
  public static final Policy NONE = new Policy(null, null, false);

  public Policy {
    if (maxPerUserPerDay != null && (maxPerUserPerDay < 1 || maxPerUserPerDay > MAX_CAP)) {
      throw new IllegalArgumentException("maxPerUserPerDay must be 1.." + MAX_CAP);
    }
  }

  /**
   * A daily window, {@code from} inclusive to {@code to} exclusive, in local time of {@code zone};
   * {@code from} after {@code to} runs across midnight (22:00–08:00).
   */
  public record QuietHours(LocalTime from, LocalTime to, ZoneId zone) {
    public QuietHours {
      if (from.equals(to)) throw new IllegalArgumentException("from and to must differ");
    }

    /** True when {@code t} falls inside the window. */
    public boolean contains(Instant t) {
      LocalTime local = t.atZone(zone).toLocalTime();
      return from.isBefore(to) ? !local.isBefore(from) && local.isBefore(to) : !local.isBefore(from) || local.isBefore(to);
    }

    /** The end of the window that {@code t} falls in, or empty when it falls in none. */
    public Optional<Instant> endOf(Instant t) {
      if (!contains(t)) return Optional.empty();
      ZonedDateTime local = t.atZone(zone);
      LocalDate day = local.toLocalDate();
      // across midnight and before it: the window ends tomorrow
      if (from.isAfter(to) && !local.toLocalTime().isBefore(from)) day = day.plusDays(1);
      return Optional.of(ZonedDateTime.of(day, to, zone).toInstant());
    }

    /** The wire form: {@code {"from":"22:00","to":"08:00","zone":"Asia/Shanghai"}}. */
    public Map<String, Object> toJson() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("from", hhmm(from));
      m.put("to", hhmm(to));
      m.put("zone", zone.getId());
      return m;
    }

    /** The settings form {@code 22:00-08:00[@Asia/Shanghai]}. */
    public static QuietHours parseSetting(String s) {
      String zonePart = DEFAULT_ZONE.getId();
      int at = s.indexOf('@');
      String range = s;
      if (at >= 0) {
        zonePart = s.substring(at + 1).trim();
        range = s.substring(0, at);
      }
      int dash = range.indexOf('-');
      if (dash < 0) throw new IllegalArgumentException("expected HH:MM-HH:MM[@Zone/Id], got '" + s + "'");
      return new QuietHours(LocalTime.parse(range.substring(0, dash).trim()), LocalTime.parse(range.substring(dash + 1).trim()),
          ZoneId.of(zonePart));
    }
  }

  /** The zone whose midnight starts a user's day for the cap: the quiet window's, or Beijing time. */
  public ZoneId zone() {
    return quietHours == null ? DEFAULT_ZONE : quietHours.zone();
  }

  /** When a push that is not critical may send again, if {@code now} is inside the quiet window. */
  public Optional<Instant> quietUntil(Instant now) {
    return quietHours == null ? Optional.empty() : quietHours.endOf(now);
  }

  /** The next midnight in {@link #zone()} after {@code now}, in epoch seconds: when today's count ends. */
  public long dayEndEpochSecond(Instant now) {
    LocalDate tomorrow = now.atZone(zone()).toLocalDate().plusDays(1);
    return tomorrow.atStartOfDay(zone()).toEpochSecond();
  }

  /** The wire form, as {@code GET /v1/apps/{appId}/policy} answers it. */
  public Map<String, Object> toJson() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("quietHours", quietHours == null ? null : quietHours.toJson());
    m.put("maxPerUserPerDay", maxPerUserPerDay);
    m.put("reserveLast", reserveLast);
    return m;
  }

  private static String hhmm(LocalTime t) {
    return String.format("%02d:%02d", t.getHour(), t.getMinute());
  }

  /** A body parsed: the policy, or every field error. */
  public sealed interface Parsed permits Valid, Invalid {}

  public record Valid(Policy policy) implements Parsed {}

  /** @param errors one {@code {"field","message"}} per problem */
  public record Invalid(List<Map<String, String>> errors) implements Parsed {}

  /**
   * Reads a {@code PUT} body (or what Redis stores, the same form). A {@code PUT} replaces the
   * whole policy: a field left out or {@code null} is "none" ({@code reserveLast}: false). Unknown
   * fields are refused, so a typo is not silently a policy without the rule meant.
   */
  public static Parsed parse(JsonNode body) {
    List<Map<String, String>> errors = new ArrayList<>();
    if (body == null || !body.isObject()) {
      error(errors, "", "must be an object {\"quietHours\",\"maxPerUserPerDay\",\"reserveLast\"}");
      return new Invalid(errors);
    }
    body.fieldNames().forEachRemaining(f -> {
      if (!f.equals("quietHours") && !f.equals("maxPerUserPerDay") && !f.equals("reserveLast")) error(errors, f, "is not a policy field");
    });
    QuietHours quiet = null;
    JsonNode q = body.get("quietHours");
    if (q != null && !q.isNull()) quiet = quietHours(q, errors);
    Integer cap = null;
    JsonNode c = body.get("maxPerUserPerDay");
    if (c != null && !c.isNull()) {
      if (!c.isIntegralNumber() || !c.canConvertToInt() || c.asInt() < 1 || c.asInt() > MAX_CAP) {
        error(errors, "maxPerUserPerDay", "must be a whole number from 1 to " + MAX_CAP + ", or null for no cap");
      } else {
        cap = c.asInt();
      }
    }
    boolean reserve = false;
    JsonNode r = body.get("reserveLast");
    if (r != null && !r.isNull() && !r.isBoolean()) error(errors, "reserveLast", "must be true or false");
    else reserve = r != null && r.asBoolean();
    if (!errors.isEmpty()) return new Invalid(errors);
    return new Valid(new Policy(quiet, cap, reserve));
  }

  private static QuietHours quietHours(JsonNode q, List<Map<String, String>> errors) {
    if (!q.isObject()) {
      error(errors, "quietHours", "must be {\"from\":\"HH:MM\",\"to\":\"HH:MM\",\"zone\":\"<IANA zone>\"} or null");
      return null;
    }
    LocalTime from = time(q.get("from"), "quietHours.from", errors);
    LocalTime to = time(q.get("to"), "quietHours.to", errors);
    ZoneId zone = null;
    JsonNode z = q.get("zone");
    if (z == null || z.isNull()) {
      zone = DEFAULT_ZONE;
    } else if (!z.isTextual() || !ZoneId.getAvailableZoneIds().contains(z.asText())) {
      error(errors, "quietHours.zone", "must be an IANA zone id such as Asia/Shanghai (not an offset)");
    } else {
      zone = ZoneId.of(z.asText());
    }
    if (from != null && to != null && from.equals(to)) error(errors, "quietHours.to", "must differ from quietHours.from");
    if (from == null || to == null || zone == null || from.equals(to)) return null;
    return new QuietHours(from, to, zone);
  }

  private static LocalTime time(JsonNode n, String field, List<Map<String, String>> errors) {
    if (n == null || !n.isTextual() || !n.asText().matches("[0-2][0-9]:[0-5][0-9]")) {
      error(errors, field, "must be a time of day HH:MM (00:00-23:59)");
      return null;
    }
    try {
      return LocalTime.parse(n.asText());
    } catch (DateTimeParseException e) {
      error(errors, field, "must be a time of day HH:MM (00:00-23:59)");
      return null;
    }
  }

  private static void error(List<Map<String, String>> errors, String field, String message) {
    errors.add(Map.of("field", field, "message", message));
  }
}
