package io.wxpush.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.wxpush.config.Env;
import io.wxpush.secret.Secret;
import io.wxpush.user.UserRef;
import io.wxpush.ingest.session.SessionTokens;
import io.wxpush.testkit.RealServices;
import io.wxpush.testkit.TestEnv;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The API reads time only from the clock its builder was given: tokens, limits and credential ages follow it. */
@ExtendWith(RealServices.class)
class IngestApiClockIT {
  private static final String APP = "wxclock1";
  private static final String KEY = "signing-key-for-clock-tests-0123456789";

  private static int upload(IngestApi api, String token) throws Exception {
    String body = "{\"credentials\":[{\"kind\":\"form_id\",\"value\":\"clock-f1\",\"collectedAt\":" + System.currentTimeMillis() + "}]}";
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + "/v1/credentials"))
        .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    try (HttpClient http = HttpClient.newHttpClient()) {
      return http.send(request, HttpResponse.BodyHandlers.ofString()).statusCode();
    }
  }

  @Test
  void aTokenOfTodayIsExpiredToAnApiWhoseClockIsAWeekAhead(TestEnv env) throws Exception {
    Map<String, String> vars = new HashMap<>(env.processEnv(Map.of(
        "WECHAT_APPS", APP + ":clock-app-secret", "SESSION_SIGNING_KEY", KEY, "PUSH_API_KEYS", "clock-api-key-0123456789abcdef", "HTTP_PORT", "0")));
    IngestConfig config = IngestConfig.read(new Env(vars));
    String token = new SessionTokens(Secret.of(KEY), Set.of(APP), config.sessionTtl(), Clock.systemUTC()).mint(new UserRef(APP, "o-clock"));
    try (IngestApi now = IngestApi.builder(config).start()) {
      assertThat(upload(now, token)).isEqualTo(202);
    }
    Clock weekAhead = Clock.fixed(Instant.now().plus(Duration.ofDays(7)), ZoneOffset.UTC);
    try (IngestApi later = IngestApi.builder(config).clock(weekAhead).start()) {
      assertThat(upload(later, token)).as("the token expired by the API's own clock").isEqualTo(401);
    }
  }
}
