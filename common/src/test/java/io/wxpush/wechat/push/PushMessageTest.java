package io.wxpush.wechat.push;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PushMessageTest {
  @Test
  void jsonListIsAnObjectForOneItemAndAnArrayForSeveral() {
    PushMessage one = PushMessage.parse("{\"FromUserName\":\"o-1\",\"CreateTime\":1700000000,\"MsgType\":\"event\","
        + "\"Event\":\"subscribe_msg_popup_event\",\"List\":{\"TemplateId\":\"T1\",\"SubscribeStatusString\":\"accept\"}}");
    assertThat(one.field("CreateTime")).contains("1700000000");
    assertThat(one.items()).containsExactly(Map.of("TemplateId", "T1", "SubscribeStatusString", "accept"));
    PushMessage two = PushMessage.parse("{\"List\":[{\"TemplateId\":\"T1\"},{\"TemplateId\":\"T2\"}]}");
    assertThat(two.items()).extracting(i -> i.get("TemplateId")).containsExactly("T1", "T2");
  }

  @Test
  void xmlItemsAreReadWhereverTheEventWrapsThem() {
    String xml = PushMessage.toXml(Map.of("FromUserName", "o-1", "Event", "subscribe_msg_sent_event"), "SubscribeMsgSentEvent",
        List.of(Map.of("TemplateId", "T1", "MsgID", "42", "ErrorCode", "10005")));
    PushMessage m = PushMessage.parse(xml);
    assertThat(m.field("FromUserName")).contains("o-1");
    assertThat(m.items()).containsExactly(Map.of("TemplateId", "T1", "MsgID", "42", "ErrorCode", "10005"));
  }

  @Test
  void aDoctypeIsRefusedSoNoEntityIsEverResolved() {
    String xxe = "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><xml><FromUserName>&e;</FromUserName></xml>";
    assertThatThrownBy(() -> PushMessage.parse(xxe)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("doctype");
    String bomb = "<!DOCTYPE x [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;\">]><xml><A>&b;</A></xml>";
    assertThatThrownBy(() -> PushMessage.parse(bomb)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void anythingElseIsRefused() {
    assertThatThrownBy(() -> PushMessage.parse("hello")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> PushMessage.parse("{\"a\":")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> PushMessage.parse("[1]")).isInstanceOf(IllegalArgumentException.class);
  }
}
