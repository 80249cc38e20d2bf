package io.wxpush.worker.fanout;

import static org.assertj.core.api.Assertions.assertThat;

import io.wxpush.json.Json;
import io.wxpush.client.PushRequest;
import io.wxpush.push.PushRun;
import io.wxpush.push.PushTask;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The fan-out's task bytes are exactly what serialising each task gives, whatever the push holds. */
class TaskEncoderTest {
  private static PushRequest request(Map<String, String> data) {
    return new PushRequest(1, "r-1", "app", "template", "TPL", "pages/x?a=\"1\"", data, "keyword1.DATA", null, null, null, 1_900_000_000_000L);
  }

  private static final PushRun RUN = new PushRun("run-1", 1_900_000_000_000L, 64);

  @Test
  void eachTaskIsTheSerialisedTaskByteForByte() throws Exception {
    Map<String, String> data = new LinkedHashMap<>();
    data.put("keyword1", "订单 \"42\" \\ 已发货\n");
    data.put("keyword2", "openId");
    PushRequest request = request(data);
    TaskEncoder encoder = new TaskEncoder(request, RUN);
    for (String openId : new String[] {"o1", "oAbC_-09", "x".repeat(64)}) {
      byte[] expected = Json.write(PushTask.of(request, openId, RUN));
      assertThat(encoder.encode(openId)).isEqualTo(expected);
      assertThat(Json.MAPPER.readValue(encoder.encode(openId), PushTask.class).openId()).isEqualTo(openId);
    }
  }

  @Test
  void dataLikeThePlaceholderAndOddOpenIdsStillEncodeExactly() {
    // whatever the placeholder is, data naming the same prefix cannot make an encoding differ
    Map<String, String> data = Map.of("keyword1", "wxpush-openid-");
    PushRequest request = request(data);
    TaskEncoder encoder = new TaskEncoder(request, RUN);
    assertThat(encoder.encode("o1")).isEqualTo(Json.write(PushTask.of(request, "o1", RUN)));
    String odd = "o\"1\\é";
    assertThat(encoder.encode(odd)).isEqualTo(Json.write(PushTask.of(request, odd, RUN)));
  }
}
