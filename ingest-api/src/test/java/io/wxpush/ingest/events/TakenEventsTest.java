package io.wxpush.ingest.events;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What makes two message-push requests the same one for the nonce memory. */
class TakenEventsTest {
  private static final String SIG = "a94a8fe5ccb19ba61c4c0873d391e987982fbbd3";
  private static final String MSG_SIG = "0beec7b5ea3f0fdbc95d0dd47f3c5bc275da8a33";

  @Test
  void aSignatureInCapitalsIsTheSameRequestAsTheVerifierTakesItCaseBlind() {
    assertThat(new TakenEvents.Signed("wx1", "1700000000", "n1", SIG.toUpperCase(), MSG_SIG.toUpperCase()).digest())
        .isEqualTo(new TakenEvents.Signed("wx1", "1700000000", "n1", SIG, MSG_SIG).digest());
  }

  @Test
  void anotherTimestampNonceOrSignatureIsAnotherRequest() {
    String one = new TakenEvents.Signed("wx1", "1700000000", "n1", SIG, null).digest();
    assertThat(new TakenEvents.Signed("wx1", "1700000001", "n1", SIG, null).digest()).isNotEqualTo(one);
    assertThat(new TakenEvents.Signed("wx1", "1700000000", "n2", SIG, null).digest()).isNotEqualTo(one);
    assertThat(new TakenEvents.Signed("wx1", "1700000000", "n1", MSG_SIG, null).digest()).isNotEqualTo(one);
    assertThat(new TakenEvents.Signed("wx1", "1700000000", "n1", SIG, MSG_SIG).digest()).as("safe mode signs the body too").isNotEqualTo(one);
  }

  @Test
  void theDigestIsWhatTheKeyFamilyExpects() {
    assertThat(new TakenEvents.Signed("wx1", "1700000000", "n1", SIG, null).digest()).matches("[0-9a-f]{64}");
  }
}
