package io.wxpush.sim;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * One request the sim received on its WeChat API, as it arrived (MockWebServer's
 * {@code RecordedRequest}): recorded before any fault or latency applies, so a request that hangs
 * or is reset is recorded too. {@code /sim/…}, {@code /health} and {@code /metrics} are not recorded.
 *
 * @param sequence 1 for the first request since start (or since {@link WeChatSim#reset}), then 2, …
 * @param query the raw query string, empty when none
 * @param headers names in lower case, in arrival order; {@code authorization}, {@code cookie} and
 *     {@code proxy-authorization} values are replaced by {@code <redacted>}
 * @param body the body as UTF-8 text, empty when none
 */
public record RecordedRequest(long sequence, Instant receivedAt, String method, String path, String query,
    Map<String, List<String>> headers, String body) {
  public RecordedRequest {
    headers = Map.copyOf(headers);
  }

  /** The first value of query parameter {@code name}, decoded. */
  public Optional<String> queryParam(String name) {
    for (String pair : query.split("&")) {
      int eq = pair.indexOf('=');
      String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      if (key.equals(name)) return Optional.of(eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
    }
    return Optional.empty();
  }

  /** The first value of header {@code name}, any case. */
  public Optional<String> header(String name) {
    List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
    return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
  }
}
