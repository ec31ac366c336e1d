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
     * RFC 8259 only (no NaN, comments, leading zeros...), one value per text. Numbers up to a
     * million characters are read, so that a huge number in an ignored field does not make a line
     * bad; {@link EventParser} refuses integers of more than {@value #MAX_INTEGER_DIGITS} digits
     * itself, as Python's {@code json} (the reference checker) does.
     */
    static final ObjectMapper MAPPER =
            new ObjectMapper(
                    JsonFactory.builder()
                            .streamReadConstraints(
                                    StreamReadConstraints.builder()
                                            .maxNumberLength(1_000_000)
                                            .maxStringLength(Integer.MAX_VALUE)
                                            .maxNameLength(Integer.MAX_VALUE)
                                            .maxNestingDepth(Json.MAX_DEPTH)
                                            .build())
                            .build());

    /** The spec's bound on nesting: a line's object is depth 1, deeper arrays and objects count. */
    static final int MAX_DEPTH = 64;

    /** Python's default limit on the digits of an integer it converts from text. */
    static final int MAX_INTEGER_DIGITS = 4300;

    static final ObjectReader STRICT =
            MAPPER.readerFor(JsonNode.class).with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    static final ObjectWriter COMPACT = MAPPER.writer();

    private Json() {}
}
