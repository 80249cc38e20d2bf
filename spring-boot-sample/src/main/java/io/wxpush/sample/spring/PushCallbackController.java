package io.wxpush.sample.spring;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.wxpush.spring.WxpushCallbacks;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

/**
 * Takes wxpush's callbacks (a push's final status): 401 for one not signed with the service's key
 * or stale, otherwise keeps the status once per {@code webhook-id} (delivery is at least once).
 */
@RestController
public class PushCallbackController {
  private final WxpushCallbacks callbacks;
  private final ObjectMapper json;
  private final Map<String, JsonNode> finalStatuses = new ConcurrentHashMap<>();

  public PushCallbackController(WxpushCallbacks callbacks, ObjectMapper json) {
    this.callbacks = callbacks;
    this.json = json;
  }

  @PostMapping("/wxpush/callbacks")
  public ResponseEntity<Void> pushFinished(@RequestBody byte[] body, @RequestHeader HttpHeaders headers) throws IOException {
    if (!callbacks.isValid(body, headers)) return ResponseEntity.status(401).build();
    JsonNode status = json.readTree(body);
    finalStatuses.putIfAbsent(status.path("requestId").asText(), status);
    return ResponseEntity.noContent().build();
  }

  /** The final status a callback brought for {@code requestId}, or null. */
  public JsonNode finalStatus(String requestId) {
    return finalStatuses.get(requestId);
  }
}
