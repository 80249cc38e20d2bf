package io.wxpush.worker.sender;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.wxpush.json.Json;
import io.wxpush.push.PushTask;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The bodies WeChat is sent, written with a streaming generator: every field WECHAT-API.md names, in the task's keyword order. */
class MessageBodiesTest {
  private static Map<String, String> data() {
    Map<String, String> data = new LinkedHashMap<>();
    data.put("keyword2", "2024-05-01 \"12:30\"");
    data.put("keyword1", "订单 42 已发货\n\\");
    return data;
  }

  @Test
  void aTemplateMessageCarriesItsFormIdPageAndEmphasis() throws Exception {
    PushTask task = new PushTask(2, "r1", "app", "o1", "template", "TPL", "pages/x?id=1", data(), "keyword1.DATA", null, null, null, null, null, null);
    byte[] body = MessageBodies.body(task, "form-1");
    JsonNode json = Json.MAPPER.readTree(body);
    assertThat(json).isEqualTo(Json.MAPPER.readTree("""
        {"touser":"o1","template_id":"TPL","page":"pages/x?id=1",
         "data":{"keyword2":{"value":"2024-05-01 \\"12:30\\""},"keyword1":{"value":"订单 42 已发货\\n\\\\"}},
         "form_id":"form-1","emphasis_keyword":"keyword1.DATA"}"""));
    assertThat(json.get("data").fieldNames()).toIterable().containsExactly("keyword2", "keyword1");
    assertThat(MessageBodies.path(task)).isEqualTo(MessageBodies.TEMPLATE_PATH);
  }

  @Test
  void aSubscribeMessageHasNoCredentialAndOnlyTheFieldsItWasGiven() throws Exception {
    PushTask task = new PushTask(2, "r1", "app", "o1", "subscribe", "TPL", null, data(), null, "trial", "zh_CN", null, null, null, null);
    JsonNode json = Json.MAPPER.readTree(MessageBodies.body(task, "ignored"));
    assertThat(json.has("form_id")).isFalse();
    assertThat(json.has("page")).isFalse();
    assertThat(json.get("miniprogram_state").asText()).isEqualTo("trial");
    assertThat(json.get("lang").asText()).isEqualTo("zh_CN");
    assertThat(json.get("data").get("keyword1").get("value").asText()).isEqualTo("订单 42 已发货\n\\");
    PushTask bare = new PushTask(2, "r1", "app", "o1", "subscribe", "TPL", null, data(), null, null, null, null, null, null, null);
    assertThat(Json.MAPPER.readTree(MessageBodies.body(bare, null)).fieldNames()).toIterable().containsExactly("touser", "template_id", "data");
    assertThat(MessageBodies.path(task)).isEqualTo(MessageBodies.SUBSCRIBE_PATH);
  }
}
