package io.wxpush.sample.readme;

import io.wxpush.spring.PushClients;
import java.io.IOException;
import java.util.List;
import org.springframework.stereotype.Service;

/**
 * The README's Spring Boot example, line for line, compiled against the starter (outside the
 * sample's scanned package, so no bean of it is made); {@code ReadmeExampleTest} checks the README
 * still says this.
 */
final class ReadmeExample {
  private ReadmeExample() {}
}

@Service
class OrderShipped {
  private final PushClients.App shop;
  OrderShipped(PushClients clients) { this.shop = clients.app("shop"); }   // wxpush.apps.shop.app-id=wx1234567890

  String notify(String orderId, List<String> openIds) throws IOException, InterruptedException {
    return shop.client().push(shop.template("TPL_SHIPPED").requestId("shipped-" + orderId)
        .data("keyword1", "order " + orderId + " shipped").toUsers(openIds).build());
  }
}
