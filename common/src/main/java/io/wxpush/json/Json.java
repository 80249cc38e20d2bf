package io.wxpush.json;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;

/**
 * The one Jackson {@link ObjectMapper} of wxpush: unknown fields tolerated (records evolve by
 * adding fields), absent values omitted, and parser limits tight enough for untrusted input.
 * Thread-safe.
 */
public final class Json {
  public static final ObjectMapper MAPPER = JsonMapper.builder(JsonFactory.builder()
          // Jackson's default keeps its buffers per thread; wxpush runs a fresh virtual thread per
          // request and per send, so every call would allocate and zero new 8-16 KiB buffers
          .recyclerPool(JsonRecyclerPools.sharedConcurrentDequePool())
          .build())
      .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
      .configure(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES, true)
      .configure(DeserializationFeature.FAIL_ON_TRAILING_TOKENS, true)
      .configure(StreamReadFeature.STRICT_DUPLICATE_DETECTION, true)
      .serializationInclusion(JsonInclude.Include.NON_ABSENT)
      .build();

  static {
    MAPPER.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
        .maxNestingDepth(32)
        .maxStringLength(1 << 20)
        .maxNumberLength(32)
        .build());
  }

  private Json() {}

  public static byte[] write(Object value) {
    try {
      return MAPPER.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialise " + value.getClass().getSimpleName(), e);
    }
  }

  /** Writes one value straight with a streaming generator: no map or tree built first. */
  @FunctionalInterface
  public interface Writer {
    void write(JsonGenerator out) throws IOException;
  }

  /**
   * The bytes {@code writer} generates (the hot paths' records and message bodies: a map
   * serialised by databind costs about twice as much, issue 19).
   */
  public static byte[] generate(Writer writer) {
    try (ByteArrayBuilder bytes = new ByteArrayBuilder(256)) {
      try (JsonGenerator out = MAPPER.getFactory().createGenerator(bytes)) {
        writer.write(out);
      }
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new IllegalStateException("cannot generate JSON", e);
    }
  }

  public static String writeString(Object value) {
    try {
      return MAPPER.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialise " + value.getClass().getSimpleName(), e);
    }
  }
}
