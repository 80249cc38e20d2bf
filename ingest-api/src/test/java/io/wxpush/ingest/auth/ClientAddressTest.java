package io.wxpush.ingest.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ClientAddressTest {
  private final ClientAddress proxies = ClientAddress.parse("10.0.0.0/8,fd00::/8");

  @Test
  void thePeerIsTheClientUnlessItIsATrustedProxy() {
    assertThat(proxies.of("198.51.100.1", "203.0.113.5")).isEqualTo("198.51.100.1");
    assertThat(proxies.of("10.1.2.3", "203.0.113.5")).isEqualTo("203.0.113.5");
    assertThat(proxies.of("10.1.2.3", null)).isEqualTo("10.1.2.3");
  }

  @Test
  void theRightmostAddressNoTrustedProxyVouchesForIsTheClient() {
    assertThat(proxies.of("10.1.2.3", "1.1.1.1, 203.0.113.5, 10.7.7.7")).isEqualTo("203.0.113.5");
    assertThat(proxies.of("10.1.2.3", "10.5.5.5, 10.7.7.7")).as("all trusted: the farthest").isEqualTo("10.5.5.5");
    assertThat(proxies.of("10.1.2.3", "not-an-ip, 10.7.7.7")).as("garbage stops the walk").isEqualTo("10.7.7.7");
    assertThat(proxies.of("10.1.2.3", "[2001:db8::1]:443")).isEqualTo("2001:db8:0:0:0:0:0:0/64");
  }

  @Test
  void ipv6ClientsAreGroupedByTheirSlash64() {
    assertThat(proxies.of("2001:db8:1:2:aaaa::1", null)).isEqualTo(proxies.of("2001:db8:1:2:bbbb::9", null));
    assertThat(proxies.of("2001:db8:1:2::1", null)).isNotEqualTo(proxies.of("2001:db8:1:3::1", null));
  }

  @Test
  void aBadEntryIsNamed() {
    assertThatThrownBy(() -> ClientAddress.parse("10.0.0.0/33")).hasMessageContaining("10.0.0.0/33");
    assertThatThrownBy(() -> ClientAddress.parse("lb.internal")).hasMessageContaining("lb.internal");
  }
}
