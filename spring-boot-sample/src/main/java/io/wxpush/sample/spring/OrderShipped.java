package io.wxpush.sample.spring;

import io.wxpush.client.PushClient;
import io.wxpush.spring.PushClients;
import java.io.IOException;
import java.util.List;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Service;

/**
 * Pushes "your order shipped" to an order's buyers through the app named {@code shop}
 * ({@code wxpush.apps.shop.*}); the requestId comes from the order, so a retry is the same push,
 * and the final status comes back to {@link PushCallbackController} when
 * {@code shop.callback-url} is set.
 */
@Service
public class OrderShipped {
  private final PushClients.App shop;
  private final String templateId;
  private final String callbackUrl;

  public OrderShipped(PushClients clients, @Value("${shop.template-id}") String templateId, @Value("${shop.callback-url:}") String callbackUrl) {
    this.shop = clients.app("shop");
    this.templateId = templateId;
    this.callbackUrl = callbackUrl.isBlank() ? null : callbackUrl;
  }

  /** Asks wxpush to tell {@code openIds} that order {@code orderId} shipped; returns the push's requestId. */
  public String notify(String orderId, List<String> openIds) throws IOException, InterruptedException {
    PushClient client = shop.client();
    return client.push(shop.template(templateId).requestId("shipped-" + orderId).data("keyword1", "order " + orderId + " shipped")
        .toUsers(openIds).callbackUrl(callbackUrl).build());
  }
}
