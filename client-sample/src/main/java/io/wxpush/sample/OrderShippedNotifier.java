package io.wxpush.sample;

import io.wxpush.client.HttpPushClient;
import io.wxpush.push.PushClient;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a business service writes to tell its users an order has shipped, with nothing of wxpush
 * but {@code wxpush-client}: the same push either over HTTP ({@code POST /v1/pushes}) or straight to
 * Kafka ({@code wxpush.push-requests}). Thread-safe.
 */
public final class OrderShippedNotifier {
  private final String appId;
  private final String templateId;
  private final HttpPushClient http;
  private final PushClient kafka;

  public OrderShippedNotifier(String appId, String templateId, HttpPushClient http, PushClient kafka) {
    this.appId = appId;
    this.templateId = templateId;
    this.http = http;
    this.kafka = kafka;
  }

  /** Over HTTP; the requestId makes a retry (after a 503 or a lost answer) the same push. */
  public String notifyOverHttp(String orderId, List<String> openIds) throws IOException, InterruptedException {
    return http.push(request(orderId, "http", openIds));
  }

  /** Straight to Kafka, checked as the API checks it; returns once Kafka has it. */
  public String notifyOverKafka(String orderId, List<String> openIds) {
    return kafka.publish(io.wxpush.json.Json.MAPPER.valueToTree(request(orderId, "kafka", openIds)));
  }

  private Map<String, Object> request(String orderId, String via, List<String> openIds) {
    Map<String, Object> push = new LinkedHashMap<>();
    push.put("requestId", "shipped-" + orderId + "-" + via);
    push.put("appId", appId);
    push.put("kind", "template");
    push.put("templateId", templateId);
    push.put("data", Map.of("keyword1", "order " + orderId + " shipped"));
    push.put("audience", Map.of("openIds", openIds));
    return push;
  }
}
