package io.wxpush.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RolesTest {
  @Test
  void rolesParseAnySubset() {
    assertThat(Roles.parse("sender")).containsExactly(Roles.SENDER);
    assertThat(Roles.parse("fanout, credentials")).containsExactlyInAnyOrder(Roles.FANOUT, Roles.CREDENTIALS);
    assertThatThrownBy(() -> Roles.parse("sendr")).hasMessageContaining("unknown role 'sendr'");
  }
}
