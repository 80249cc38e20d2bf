package io.wxpush.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.wxpush.sim.CredentialCodec.IdFormat;
import io.wxpush.sim.CredentialCodec.Parsed;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CredentialCodecTest {
  private static final String GEN = "k3z9";

  @Test
  void realFormatFormIdIs32LowercaseHexAndDecodesToItsUserAndSlot() {
    String id = CredentialCodec.format(IdFormat.REAL, false, GEN, 123_456, 7);
    assertThat(id).matches("[0-9a-f]{32}");
    assertThat(CredentialCodec.parse(id, GEN)).isEqualTo(new Parsed(false, 123_456, 7));
  }

  @Test
  void realFormatPrepayIdIsWxAnd34HexAndDecodesToItsUserAndSlot() {
    String id = CredentialCodec.format(IdFormat.REAL, true, GEN, 999_999, 2);
    assertThat(id).matches("wx[0-9a-f]{34}");
    assertThat(CredentialCodec.parse(id, GEN)).isEqualTo(new Parsed(true, 999_999, 2));
  }

  @Test
  void realFormatIdsOfOneUserLookUnrelated() {
    Set<String> prefixes = new HashSet<>();
    for (int slot = 0; slot < 50; slot++) prefixes.add(CredentialCodec.format(IdFormat.REAL, false, GEN, 1, slot).substring(0, 6));
    assertThat(prefixes).hasSizeGreaterThan(45);
  }

  @Test
  void realFormatIdIsNotRecognisedAfterAResetOrWhenAltered() {
    String id = CredentialCodec.format(IdFormat.REAL, false, GEN, 42, 1);
    assertThat(CredentialCodec.parse(id, "zz99")).as("another generation").isNull();
    char last = id.charAt(31);
    String altered = id.substring(0, 31) + (last == '0' ? '1' : '0');
    assertThat(CredentialCodec.parse(altered, GEN)).as("one character changed").isNull();
    assertThat(CredentialCodec.parse(id.toUpperCase(), GEN)).as("upper case is not what the sim minted").isNull();
    assertThat(CredentialCodec.parse("0123456789abcdef0123456789abcdef", GEN)).as("any 32 hex characters").isNull();
    String prepay = CredentialCodec.format(IdFormat.REAL, true, GEN, 42, 1);
    assertThat(CredentialCodec.parse(prepay.substring(2, 34), GEN)).as("a form_id cut out of a prepay_id").isNull();
  }

  @Test
  void simFormatStillRoundTripsBesideRealFormat() {
    String sim = CredentialCodec.format(IdFormat.SIM, true, GEN, 5, 3);
    assertThat(sim).startsWith("wx" + GEN + "_");
    assertThat(CredentialCodec.parse(sim, GEN)).isEqualTo(new Parsed(true, 5, 3));
    assertThat(CredentialCodec.parse(CredentialCodec.format(IdFormat.SIM, false, GEN, 5, 3), GEN)).isEqualTo(new Parsed(false, 5, 3));
  }

  @Test
  void aSimMintingRealIdsSendsWithThemAndShowsThemInTheInbox() {
    try (WeChatSim sim = WeChatSim.start(SimConfig.builder().port(0).app("wxapp1", "secret1").realIds(true).build())) {
      sim.registerTemplate(new SimTemplate("wxapp1", "TPL_ORDER", SimTemplate.Kind.TEMPLATE, java.util.List.of("keyword1"), Set.of()));
      SimHttp http = new SimHttp(sim);
      String token = http.token("wxapp1", "secret1");
      String formId = sim.mintFormIds("wxapp1", "o1", 1).get(0);
      String prepayId = sim.mintPrepayId("wxapp1", "o1");
      assertThat(formId).matches("[0-9a-f]{32}");
      assertThat(prepayId).matches("wx[0-9a-f]{34}");

      java.util.Map<String, String> data = java.util.Map.of("keyword1", "order 42");
      assertThat(http.sendTemplate(token, "o1", "TPL_ORDER", formId, data).errcode()).isZero();
      assertThat(http.sendTemplate(token, "o1", "TPL_ORDER", formId, data).errcode()).isEqualTo(41029);
      assertThat(http.sendTemplate(token, "o1", "TPL_ORDER", prepayId, data).errcode()).isZero();
      assertThat(sim.inbox("wxapp1", "o1")).extracting(SimMessage::credential).containsExactly(formId, prepayId);
    }
  }
}
