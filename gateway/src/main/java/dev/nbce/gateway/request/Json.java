package dev.nbce.gateway.request;

import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The one configured JSON mapper: strict about duplicates, bounded in nesting and sizes. */
public final class Json {
    /**
     * Requests need a few levels, a JSON Schema in {@code response_format} a few per level of the data it describes
     * (real-world schemas nest 20 and more); hostile input may try thousands.
     */
    public static final int MAX_NESTING = 64;

    public static final ObjectMapper MAPPER = create();

    private Json() {}

    private static ObjectMapper create() {
        ObjectMapper mapper = new ObjectMapper();
        mapper.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
                .maxNestingDepth(MAX_NESTING)
                .maxNumberLength(64)
                .maxStringLength(64 << 20)
                .build());
        mapper.enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY);
        mapper.enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        return mapper;
    }
}
