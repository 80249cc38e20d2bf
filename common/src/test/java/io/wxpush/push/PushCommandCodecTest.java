package io.wxpush.push;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wxpush.client.PushRequest;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;

/** The records on {@code wxpush.push-requests}: the shapes already on the topic decode as before, and what is encoded decodes back. */
class PushCommandCodecTest {
  private final PushCommandCodec codec = new PushCommandCodec(new PushRequestParser(Set.of("wxapp1")));

  private static byte[] bytes(String json) {
    return json.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void theRecordsAlreadyOnTheTopicDecodeAsBeforeAndARetryOrResumeNamingNoAppIsRefused() throws Exception {
    assertThat(codec.decode("r1", bytes("{\"v\":1,\"requestId\":\"r1\",\"appId\":\"wxapp1\",\"retry\":3}")))
        .isEqualTo(new PushCommand.RetryRound("wxapp1", "r1", 3));
    assertThat(codec.decode("r1", bytes("{\"v\":1,\"requestId\":\"r1\",\"appId\":\"wxapp1\",\"resume\":true}")))
        .isEqualTo(new PushCommand.Resume("wxapp1", "r1"));
    // before per-app requestIds a retry or resume named no app: whose push it is cannot be told
    Assertions.assertThatThrownBy(() -> codec.decode("r1", bytes("{\"v\":1,\"requestId\":\"r1\",\"retry\":3}")))
        .isInstanceOfSatisfying(PushCommandCodec.Unreadable.class, u -> assertThat(u.reason()).isEqualTo("invalid_request_appId_missing"));
    PushCommand request = codec.decode("r1", bytes("{\"v\":1,\"requestId\":\"r1\",\"appId\":\"wxapp1\",\"kind\":\"template\","
        + "\"templateId\":\"TPL\",\"data\":{\"keyword1\":\"hi\"},\"audience\":{\"openIds\":[\"o1\"]}}"));
    assertThat(request).isInstanceOfSatisfying(PushCommand.Request.class, r -> {
      assertThat(r.requestId()).isEqualTo("r1");
      assertThat(r.request().audience().openIds()).containsExactly("o1");
    });
  }

  @Test
  void everyCommandEncodedDecodesBackToItself() throws Exception {
    PushRequest push = ((PushCommand.Request) codec.decode("r2", bytes("{\"v\":1,\"requestId\":\"r2\",\"appId\":\"wxapp1\","
        + "\"kind\":\"subscribe\",\"templateId\":\"T\",\"data\":{\"thing1\":\"x\"},\"audience\":{\"all\":true}}"))).request();
    for (PushCommand c : new PushCommand[] {new PushCommand.Request(push), new PushCommand.RetryRound("wxapp1", "r2", 1), new PushCommand.Resume("wxapp1", "r2")}) {
      assertThat(codec.decode("r2", PushCommandCodec.encode(c))).isEqualTo(c);
    }
    assertThat(new String(PushCommandCodec.encode(new PushCommand.RetryRound("wxapp1", "r2", 2)), StandardCharsets.UTF_8))
        .isEqualTo("{\"v\":1,\"requestId\":\"r2\",\"appId\":\"wxapp1\",\"retry\":2}");
  }

  @Test
  void aRecordThatIsNoCommandSaysWhy() {
    assertThatThrownBy(() -> codec.decode("k", bytes("not json"))).isInstanceOfSatisfying(PushCommandCodec.Unreadable.class,
        u -> assertThat(u.reason()).isEqualTo("unreadable"));
    assertThatThrownBy(() -> codec.decode("k", bytes("{\"appId\":\"wxapp1\"}"))).isInstanceOfSatisfying(PushCommandCodec.Unreadable.class,
        u -> assertThat(u.reason()).isEqualTo("invalid_request_requestId_missing"));
    assertThatThrownBy(() -> codec.decode("k", bytes("{\"requestId\":\"k\",\"appId\":\"wxapp1\",\"kind\":\"nope\"}")))
        .isInstanceOfSatisfying(PushCommandCodec.Unreadable.class, u -> {
          assertThat(u.reason()).startsWith("invalid_request_");
          assertThat(u.requestId()).isEqualTo("k");
          assertThat(u.appId()).isEqualTo("wxapp1");
        });
  }
}
