package io.vmres.engine.recording;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;

/** The one strict JSON reader and the compact writer that recordings and replay outputs share. */
final class Json {
  /**
   * RFC 8259 only (no NaN, comments, leading zeros...), one value per text. An integer of more
   * than 4300 digits is refused, as Python's {@code json} (the reference checker) refuses it;
   * other sizes are limited only by memory, so that a huge number in an ignored field does not
   * make a line bad.
   */
  static final ObjectMapper MAPPER =
      new ObjectMapper(
          JsonFactory.builder()
              .streamReadConstraints(
                  StreamReadConstraints.builder()
                      .maxNumberLength(4300)
                      .maxStringLength(Integer.MAX_VALUE)
                      .build())
              .build());

  static final ObjectReader STRICT =
      MAPPER.readerFor(JsonNode.class).with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  static final ObjectWriter COMPACT = MAPPER.writer();

  private Json() {}
}
