package io.wxpush.credentials;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class PoolMemberTest {
  private static final String FORM_ID = "0f1e2d3c4b5a69788796a5b4c3d2e1f0";
  private static final String PREPAY_ID = "wx201410272009395522657a690389285100";

  private static Credential credential(CredentialKind kind, String value) {
    return Credential.of("wxapp", "o1", kind, value, kind == CredentialKind.SUBSCRIPTION ? "TPL" : null, 1_000L);
  }

  private static List<String> roundTrip(CredentialKind kind, String value) {
    return java.util.Arrays.stream(PoolMember.members(credential(kind, value))).map(m -> new PoolMember(m, 1).value()).toList();
  }

  @Test
  void aWeChatShapedFormIdIsStoredInTwentyOneCharactersAndReadBackExactly() {
    String[] members = PoolMember.members(credential(CredentialKind.FORM_ID, FORM_ID));
    assertThat(members).singleElement().satisfies(m -> {
      assertThat(m).hasSize(21).startsWith("f").doesNotContain(":", " ");
      assertThat(new PoolMember(m, 1).kind()).isEqualTo(CredentialKind.FORM_ID);
      assertThat(new PoolMember(m, 1).value()).isEqualTo(FORM_ID);
    });
  }

  @Test
  void aWeChatShapedPrepayIdIsThreeCompactMembersEachReadBackExactly() {
    String[] members = PoolMember.members(credential(CredentialKind.PREPAY_ID, PREPAY_ID));
    assertThat(members).hasSize(3).allSatisfy(m -> assertThat(m).hasSize(25).startsWith("p").matches("p[^: ]{22}:[123]"));
    assertThat(members).doesNotHaveDuplicates();
    assertThat(roundTrip(CredentialKind.PREPAY_ID, PREPAY_ID)).containsOnly(PREPAY_ID);
    assertThat(new PoolMember(members[0], 1).kind()).isEqualTo(CredentialKind.PREPAY_ID);
  }

  @Test
  void textOfAnyOtherShapeIsStoredAsItIs() {
    for (String odd : List.of(FORM_ID.toUpperCase(), "0F1e2d3c4b5a69788796a5b4c3d2e1f0", FORM_ID.substring(1), FORM_ID + "0",
        "g" + FORM_ID.substring(1), "simfk3z9_2n_1", "wx" + FORM_ID, "WX201410272009395522657a690389285100",
        PREPAY_ID + "0", "a:b c", "x".repeat(128), "表单")) {
      assertThat(PoolMember.members(credential(CredentialKind.FORM_ID, odd))).as(odd).containsExactly("f:" + odd);
      assertThat(roundTrip(CredentialKind.FORM_ID, odd)).as(odd).containsOnly(odd);
      assertThat(roundTrip(CredentialKind.PREPAY_ID, odd)).as(odd).containsOnly(odd);
    }
  }

  @Test
  void aFormIdInAPrepayIdsShapeAndAPrepayIdInAFormIdsShapeRoundTripToo() {
    assertThat(roundTrip(CredentialKind.FORM_ID, PREPAY_ID)).containsOnly(PREPAY_ID);
    assertThat(roundTrip(CredentialKind.PREPAY_ID, FORM_ID)).containsOnly(FORM_ID);
  }

  @Test
  void oneTextHasOneMemberAndTwoTextsTwo() {
    assertThat(PoolMember.members(credential(CredentialKind.FORM_ID, FORM_ID)))
        .isEqualTo(PoolMember.members(credential(CredentialKind.FORM_ID, FORM_ID)));
    String other = FORM_ID.substring(0, 31) + "1";
    assertThat(PoolMember.members(credential(CredentialKind.FORM_ID, other))[0])
        .isNotEqualTo(PoolMember.members(credential(CredentialKind.FORM_ID, FORM_ID))[0]);
  }

  @Test
  void membersWrittenBeforeTheCompactFormAreStillRead() {
    assertThat(new PoolMember("f:" + FORM_ID, 1).value()).isEqualTo(FORM_ID);
    assertThat(new PoolMember("p:" + PREPAY_ID + ":2", 1).value()).isEqualTo(PREPAY_ID);
    assertThat(new PoolMember("s:grant-1", 1).value()).isEqualTo("grant-1");
    assertThat(new PoolMember("Labcdef", 0).value()).isEmpty();
  }

  @Test
  void theExtremesOfEveryByteRoundTrip() {
    for (String hex : List.of("0".repeat(32), "f".repeat(32), "ff".repeat(8) + "00".repeat(8), "00".repeat(8) + "ff".repeat(8))) {
      assertThat(roundTrip(CredentialKind.FORM_ID, hex)).as(hex).containsOnly(hex);
      assertThat(roundTrip(CredentialKind.PREPAY_ID, "wx" + hex + "00")).containsOnly("wx" + hex + "00");
      assertThat(roundTrip(CredentialKind.PREPAY_ID, "wx" + hex + "ff")).containsOnly("wx" + hex + "ff");
    }
    java.util.Random random = new java.util.Random(32);
    for (int i = 0; i < 10_000; i++) {
      byte[] b = new byte[17];
      random.nextBytes(b);
      String form = java.util.HexFormat.of().formatHex(b, 0, 16);
      String prepay = "wx" + java.util.HexFormat.of().formatHex(b);
      assertThat(PoolMember.members(credential(CredentialKind.FORM_ID, form))[0]).hasSize(21).doesNotContain(":", " ");
      assertThat(roundTrip(CredentialKind.FORM_ID, form)).containsOnly(form);
      assertThat(roundTrip(CredentialKind.PREPAY_ID, prepay)).containsOnly(prepay);
    }
  }

  @Test
  void grantsAreNeverCompacted() {
    assertThat(PoolMember.members(credential(CredentialKind.SUBSCRIPTION, FORM_ID))).containsExactly("s:" + FORM_ID);
  }
}
