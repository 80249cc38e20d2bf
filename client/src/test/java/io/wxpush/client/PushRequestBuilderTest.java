package io.wxpush.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The builder writes the body of {@code POST /v1/pushes} (and of a push-requests record): set fields only. */
class PushRequestBuilderTest {
  @Test
  void aBuiltRequestIsWrittenWithTheFieldsSetAndNothingNull() throws Exception {
    PushRequest push = PushRequest.subscribe("wx1", "TPL").requestId("order-42").data("thing1", "a parcel").page("pages/a")
        .toUsers("o-alice", "o-bob").notAfter(Instant.ofEpochMilli(1_790_000_000_000L)).priority("critical").build();

    JsonNode json = ClientJson.MAPPER.readTree(ClientJson.write(push));

    assertThat(json).isEqualTo(ClientJson.MAPPER.readTree("""
        {"v":1,"requestId":"order-42","appId":"wx1","kind":"subscribe","templateId":"TPL","page":"pages/a",
         "data":{"thing1":"a parcel"},"audience":{"openIds":["o-alice","o-bob"]},"notAfter":1790000000000,"priority":"critical"}"""));
  }

  @Test
  void withoutARequestIdEachBuildGetsAFreshOneAndAnAudienceIsRequired() {
    PushRequest.Builder builder = PushRequest.template("wx1", "TPL").toEveryone();
    assertThat(builder.build().requestId()).isNotEqualTo(builder.build().requestId()).matches("[0-9a-f-]{36}");
    assertThatThrownBy(() -> PushRequest.template("wx1", "TPL").build()).isInstanceOf(IllegalStateException.class);
  }
}
