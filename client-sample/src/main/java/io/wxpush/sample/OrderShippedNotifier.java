package io.wxpush.sample;

import io.wxpush.client.HttpPushClient;
import io.wxpush.client.KafkaPushClient;
import io.wxpush.client.PushRequest;
import java.io.IOException;
import java.util.List;

/**
 * What a business service writes to tell its users an order has shipped, with nothing of wxpush
 * but {@code wxpush-client}: the same push either over HTTP ({@code POST /v1/pushes}) or straight to
 * Kafka ({@code wxpush.push-requests}). Thread-safe.
 */
public final class OrderShippedNotifier {
  private final String appId;
  private final String templateId;
  private final HttpPushClient http;
  private final KafkaPushClient kafka;

  public OrderShippedNotifier(String appId, String templateId, HttpPushClient http, KafkaPushClient kafka) {
    this.appId = appId;
    this.templateId = templateId;
    this.http = http;
    this.kafka = kafka;
  }

  /** Over HTTP; the requestId makes a retry (after a 503 or a lost answer) the same push. */
  public String notifyOverHttp(String orderId, List<String> openIds) throws IOException, InterruptedException {
    return http.push(request(orderId, "http", openIds));
  }

  /** Straight to Kafka; returns once Kafka has it. */
  public String notifyOverKafka(String orderId, List<String> openIds) throws InterruptedException {
    return kafka.push(request(orderId, "kafka", openIds));
  }

  private PushRequest request(String orderId, String via, List<String> openIds) {
    return PushRequest.template(appId, templateId).requestId("shipped-" + orderId + "-" + via)
        .data("keyword1", "order " + orderId + " shipped").toUsers(openIds).build();
  }
}
