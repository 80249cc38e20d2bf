package io.wxpush.user;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class UserRefTest {
  @Test
  void idsAreOneToSixtyFourOfTheSafeCharacters() {
    assertThat(UserRef.isValidId("oAbc_09-XYZ")).isTrue();
    assertThat(UserRef.isValidId("a")).isTrue();
    assertThat(UserRef.isValidId("z".repeat(64))).isTrue();
    assertThat(UserRef.isValidId("z".repeat(65))).isFalse();
    assertThat(UserRef.isValidId("")).isFalse();
    assertThat(UserRef.isValidId(null)).isFalse();
    // what would break a Redis hash tag, a Kafka key or a key's separators, and letters beyond ASCII
    for (String bad : new String[] {"a:b", "a{b", "a}b", "a b", "a.b", "a/b", "é", "ａ", "a\n", "a\u0000"}) {
      assertThat(UserRef.isValidId(bad)).as(bad).isFalse();
    }
  }

  @Test
  void aRefRefusesABadPartAndNamesIt() {
    assertThatThrownBy(() -> new UserRef("app", "o:1")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("openId");
    assertThatThrownBy(() -> new UserRef("a{p}", "o1")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("appId");
    assertThat(UserRef.fromKafkaKey("app:o1")).isEqualTo(new UserRef("app", "o1"));
  }
}
