package io.wxpush.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wxpush.json.Json;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import org.junit.jupiter.api.Test;

class PolicyTest {
  private static final ZoneId SHANGHAI = ZoneId.of("Asia/Shanghai");

  private static Instant at(String localDateTime, ZoneId zone) {
    return LocalDateTime.parse(localDateTime).atZone(zone).toInstant();
  }

  private static Policy.Parsed parse(String json) throws Exception {
    return Policy.parse(Json.MAPPER.readTree(json));
  }

  @Test
  void aWindowAcrossMidnightHoldsBothSidesAndEndsTheNextMorning() {
    Policy.QuietHours night = new Policy.QuietHours(LocalTime.of(22, 0), LocalTime.of(8, 0), SHANGHAI);
    assertThat(night.contains(at("2026-12-01T21:59:59", SHANGHAI))).isFalse();
    assertThat(night.endOf(at("2026-12-01T22:00:00", SHANGHAI))).contains(at("2026-12-02T08:00:00", SHANGHAI));
    assertThat(night.endOf(at("2026-12-02T03:30:00", SHANGHAI))).contains(at("2026-12-02T08:00:00", SHANGHAI));
    assertThat(night.contains(at("2026-12-02T08:00:00", SHANGHAI))).as("the end is not inside").isFalse();
    Policy.QuietHours lunch = new Policy.QuietHours(LocalTime.of(12, 0), LocalTime.of(13, 30), SHANGHAI);
    assertThat(lunch.endOf(at("2026-12-01T12:10:00", SHANGHAI))).contains(at("2026-12-01T13:30:00", SHANGHAI));
    assertThat(lunch.endOf(at("2026-12-01T23:10:00", SHANGHAI))).isEmpty();
  }

  @Test
  void aWindowEndingInADaylightSavingGapEndsWhenTheClockJumpsAndDaysEndAtLocalMidnight() {
    ZoneId newYork = ZoneId.of("America/New_York");
    // 2026-03-08 02:00 does not exist in New York: the window ends at 03:00 local, the same instant
    Policy.QuietHours q = new Policy.QuietHours(LocalTime.of(23, 0), LocalTime.of(2, 30), newYork);
    Instant end = q.endOf(at("2026-03-08T01:00:00", newYork)).orElseThrow();
    assertThat(ZonedDateTime.ofInstant(end, newYork).toLocalTime()).isEqualTo(LocalTime.of(3, 30));
    Policy beijing = new Policy(null, 3, false);
    assertThat(beijing.zone()).isEqualTo(SHANGHAI);
    assertThat(beijing.dayEndEpochSecond(at("2026-12-01T23:59:00", SHANGHAI))).isEqualTo(at("2026-12-02T00:00:00", SHANGHAI).getEpochSecond());
    assertThat(beijing.dayEndEpochSecond(at("2026-12-02T00:00:00", SHANGHAI))).isEqualTo(at("2026-12-03T00:00:00", SHANGHAI).getEpochSecond());
  }

  @Test
  void aBodyRoundTripsAndEveryBadFieldIsNamed() throws Exception {
    Policy p = ((Policy.Valid) parse("{\"quietHours\":{\"from\":\"22:00\",\"to\":\"08:00\",\"zone\":\"Asia/Shanghai\"},"
        + "\"maxPerUserPerDay\":3,\"reserveLast\":true}")).policy();
    assertThat(p.maxPerUserPerDay()).isEqualTo(3);
    assertThat(((Policy.Valid) Policy.parse(Json.MAPPER.valueToTree(p.toJson()))).policy()).isEqualTo(p);
    assertThat(((Policy.Valid) parse("{}")).policy()).as("a PUT replaces everything: left out is none").isEqualTo(Policy.NONE);

    Policy.Invalid bad = (Policy.Invalid) parse("{\"quietHours\":{\"from\":\"25:00\",\"to\":\"8\",\"zone\":\"+08:00\"},"
        + "\"maxPerUserPerDay\":0,\"reserveLast\":\"yes\",\"extra\":1}");
    assertThat(bad.errors()).extracting(e -> e.get("field"))
        .containsExactlyInAnyOrder("extra", "quietHours.from", "quietHours.to", "quietHours.zone", "maxPerUserPerDay", "reserveLast");
    Policy.Invalid same = (Policy.Invalid) parse("{\"quietHours\":{\"from\":\"08:00\",\"to\":\"08:00\",\"zone\":\"UTC\"}}");
    assertThat(same.errors()).extracting(e -> e.get("field")).containsExactly("quietHours.to");
    assertThat(((Policy.Invalid) parse("[]")).errors()).hasSize(1);
  }

  @Test
  void theSettingsFormReadsWithAndWithoutAZone() {
    assertThat(Policy.QuietHours.parseSetting("22:00-08:00")).isEqualTo(new Policy.QuietHours(LocalTime.of(22, 0), LocalTime.of(8, 0), SHANGHAI));
    assertThat(Policy.QuietHours.parseSetting("21:30-07:00@Europe/Berlin").zone()).isEqualTo(ZoneId.of("Europe/Berlin"));
    assertThatThrownBy(() -> Policy.QuietHours.parseSetting("nonsense")).isInstanceOf(RuntimeException.class);
  }
}
