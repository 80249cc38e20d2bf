package io.wxpush.worker.sender;

import io.wxpush.json.Json;
import io.wxpush.push.PushTask;
import java.util.LinkedHashMap;
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
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("touser", task.openId());
    body.put("template_id", task.templateId());
    if (task.page() != null) body.put("page", task.page());
    Map<String, Object> data = new LinkedHashMap<>();
    task.data().forEach((k, v) -> data.put(k, Map.of("value", v)));
    body.put("data", data);
    if (task.subscribe()) {
      if (task.miniprogramState() != null) body.put("miniprogram_state", task.miniprogramState());
      if (task.lang() != null) body.put("lang", task.lang());
    } else {
      body.put("form_id", credential);
      if (task.emphasisKeyword() != null) body.put("emphasis_keyword", task.emphasisKeyword());
    }
    return Json.write(body);
  }
}
