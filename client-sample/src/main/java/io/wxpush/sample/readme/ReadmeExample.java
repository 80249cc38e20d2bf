package io.wxpush.sample.readme;

import io.wxpush.client.CallbackVerifier;
import io.wxpush.client.HttpPushClient;
import io.wxpush.client.KafkaPushClient;
import io.wxpush.client.PushRequest;
import io.wxpush.client.PushStatus;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The README's example of {@code wxpush-client}, line for line, compiled in a module that depends
 * on {@code wxpush-client} alone ({@code ReadmeExampleTest} checks the README still says this).
 */
final class ReadmeExample {
  private ReadmeExample() {}

  static void example(String apiKey, List<String> openIds, byte[] bodyBytes, Map<String, List<String>> headers) throws Exception {
    PushRequest push = PushRequest.template("wx1234567890", "TPL_SHIPPED").requestId("shipped-42")
        .data("keyword1", "order 42 shipped").toUsers(openIds).build();

    try (HttpPushClient http = new HttpPushClient(URI.create("https://push.example.com"), apiKey, Duration.ofSeconds(10))) {
      String requestId = http.push(push);              // ApiError carries wxpush's error code; 503 is safe to retry
      PushStatus status = http.status(requestId);      // state(), isFinal(), sent(), failed(), byReason(), json()
    }

    try (KafkaPushClient kafka = KafkaPushClient.connect("kafka:9092", "billing", "wxpush.", Set.of("wx1234567890"))) {
      kafka.push(push);                                // returns once Kafka has it; the fan-out checks it as the API does
    }

    CallbackVerifier.of(apiKey).verify(bodyBytes, headers);  // InvalidCallbackException: answer 401
  }
}
