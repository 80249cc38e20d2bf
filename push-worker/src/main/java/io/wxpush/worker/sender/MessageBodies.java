package io.wxpush.worker.sender;

import io.wxpush.json.Json;
import io.wxpush.push.PushTask;
import java.util.Map;

/** Builds WeChat's request bodies for a task: a template message or a subscribe message. */
final class MessageBodies {
  static final String TEMPLATE_PATH = "cgi-bin/message/wxopen/template/send";
  static final String SUBSCRIBE_PATH = "cgi-bin/message/subscribe/send";

  private MessageBodies() {}

  static String path(PushTask task) {
    return task.subscribe() ? SUBSCRIBE_PATH : TEMPLATE_PATH;
  }

  /** @param credential the form_id or prepay_id for a template message; ignored for subscribe */
  static byte[] body(PushTask task, String credential) {
    return Json.generate(out -> {
      out.writeStartObject();
      out.writeStringField("touser", task.openId());
      out.writeStringField("template_id", task.templateId());
      if (task.page() != null) out.writeStringField("page", task.page());
      out.writeObjectFieldStart("data");
      for (Map.Entry<String, String> keyword : task.data().entrySet()) {
        out.writeObjectFieldStart(keyword.getKey());
        out.writeStringField("value", keyword.getValue());
        out.writeEndObject();
      }
      out.writeEndObject();
      if (task.subscribe()) {
        if (task.miniprogramState() != null) out.writeStringField("miniprogram_state", task.miniprogramState());
        if (task.lang() != null) out.writeStringField("lang", task.lang());
      } else {
        out.writeStringField("form_id", credential);
        if (task.emphasisKeyword() != null) out.writeStringField("emphasis_keyword", task.emphasisKeyword());
      }
      out.writeEndObject();
    });
  }
}
