package dev.ims.model.json;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

/**
 * The shared, thread-safe {@link ObjectMapper}: strict parsing (duplicate keys, NaN and trailing
 * tokens are errors), bounded nesting and string sizes, instants written as ISO-8601 strings.
 */
public final class Json {

    /** Deeper documents are rejected while parsing, before they cost memory. */
    public static final int MAX_NESTING_DEPTH = 32;

    /** Longest string value accepted, in characters. */
    public static final int MAX_STRING_LENGTH = 64 * 1024;

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .addModule(new JavaTimeModule())
            .build();

    static {
        MAPPER.getFactory()
                .setStreamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(MAX_NESTING_DEPTH)
                        .maxStringLength(MAX_STRING_LENGTH)
                        .maxNumberLength(64)
                        .build());
    }

    private Json() {}

    public static ObjectMapper mapper() {
        return MAPPER;
    }

    /** The UTF-8 JSON of a tree built in memory (cannot fail for such trees). */
    public static byte[] bytes(com.fasterxml.jackson.databind.JsonNode tree) {
        try {
            return MAPPER.writeValueAsBytes(tree);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
