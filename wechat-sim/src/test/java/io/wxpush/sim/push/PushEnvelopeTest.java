package io.wxpush.sim.push;

import static org.assertj.core.api.Assertions.assertThat;

import io.wxpush.wechat.push.PushMessage;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The bodies the sim pushes have the shapes WeChat documents, and wxpush's parser reads them
 * (the parser is used here, in a test, never by the sim's main code).
 */
class PushEnvelopeTest {
  private static final Map<String, String> ACCEPT = Map.of("TemplateId", "TPL_A", "SubscribeStatusString", "accept", "PopupScene", "0");
  private static final Map<String, String> REJECT = Map.of("TemplateId", "TPL_B", "SubscribeStatusString", "reject", "PopupScene", "0");

  private static PushEvent popup(List<Map<String, String>> items) {
    return new PushEvent("gh_wxapp1", "openid-1", 1700000000L, "subscribe_msg_popup_event", "SubscribeMsgPopupEvent", items);
  }

  @Test
  void jsonHasANumericCreateTimeAndListIsAnObjectForOneItemAndAnArrayForSeveral() {
    assertThat(PushEnvelope.plaintext(popup(List.of(ACCEPT)), PushFormat.JSON))
        .isEqualTo("{\"ToUserName\":\"gh_wxapp1\",\"FromUserName\":\"openid-1\",\"CreateTime\":1700000000,\"MsgType\":\"event\","
            + "\"Event\":\"subscribe_msg_popup_event\",\"List\":{\"PopupScene\":\"0\",\"SubscribeStatusString\":\"accept\",\"TemplateId\":\"TPL_A\"}}");
    assertThat(PushEnvelope.plaintext(popup(List.of(ACCEPT, REJECT)), PushFormat.JSON)).contains("\"List\":[{").contains("\"TPL_B\"}]");
  }

  @Test
  void xmlPutsTextInCdataTheTimeBareAndTheItemsInsideTheEventsWrapper() {
    assertThat(PushEnvelope.plaintext(popup(List.of(ACCEPT, REJECT)), PushFormat.XML)).isEqualTo("<xml>"
        + "<ToUserName><![CDATA[gh_wxapp1]]></ToUserName><FromUserName><![CDATA[openid-1]]></FromUserName>"
        + "<CreateTime>1700000000</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[subscribe_msg_popup_event]]></Event>"
        + "<SubscribeMsgPopupEvent>"
        + "<List><PopupScene><![CDATA[0]]></PopupScene><SubscribeStatusString><![CDATA[accept]]></SubscribeStatusString><TemplateId><![CDATA[TPL_A]]></TemplateId></List>"
        + "<List><PopupScene><![CDATA[0]]></PopupScene><SubscribeStatusString><![CDATA[reject]]></SubscribeStatusString><TemplateId><![CDATA[TPL_B]]></TemplateId></List>"
        + "</SubscribeMsgPopupEvent></xml>");
  }

  @Test
  void safeModeCarriesOnlyTheAccountAndEncryptAndCompatibleModeTheWholeMessageBeside() {
    PushEvent e = popup(List.of(ACCEPT));
    assertThat(PushEnvelope.encrypted(e, PushFormat.XML, PushMode.SAFE, "c2VjcmV0"))
        .isEqualTo("<xml><ToUserName><![CDATA[gh_wxapp1]]></ToUserName><Encrypt><![CDATA[c2VjcmV0]]></Encrypt></xml>");
    assertThat(PushEnvelope.encrypted(e, PushFormat.JSON, PushMode.SAFE, "c2VjcmV0")).isEqualTo("{\"ToUserName\":\"gh_wxapp1\",\"Encrypt\":\"c2VjcmV0\"}");
    PushMessage compatible = PushMessage.parse(PushEnvelope.encrypted(e, PushFormat.XML, PushMode.COMPATIBLE, "c2VjcmV0"));
    assertThat(compatible.field("Encrypt")).contains("c2VjcmV0");
    assertThat(compatible.field("FromUserName")).contains("openid-1");
    assertThat(compatible.items()).containsExactly(ACCEPT);
  }

  @Test
  void wxpushReadsEveryItemAndFieldTheSimWritesInBothFormats() {
    for (PushFormat format : PushFormat.values()) {
      PushMessage m = PushMessage.parse(PushEnvelope.plaintext(popup(List.of(ACCEPT, REJECT)), format));
      assertThat(m.field("CreateTime")).as(format.name()).contains("1700000000");
      assertThat(m.field("Event")).contains("subscribe_msg_popup_event");
      assertThat(m.items()).as(format.name()).containsExactly(ACCEPT, REJECT);
    }
  }

  @Test
  void aCdataTerminatorInAValueIsSplitSoTheXmlStaysWellFormed() {
    PushEvent e = new PushEvent("gh_x", "openid-1", 1L, "subscribe_msg_change_event", "SubscribeMsgChangeEvent",
        List.of(Map.of("TemplateId", "a]]>b")));
    assertThat(PushMessage.parse(PushEnvelope.plaintext(e, PushFormat.XML)).items().get(0)).containsEntry("TemplateId", "a]]>b");
  }
}
