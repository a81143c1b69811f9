package dev.nbce.structured;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nbce.structured.vocab.TokenBytes;
import org.junit.jupiter.api.Test;

/** JSON Schema keywords, fed byte by byte: every valid text passes each mask and ends; invalid ones do not. */
class SchemaAcceptanceTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TokenBytes VOCAB = ByteVocabulary.withPieces();
    private final ConstraintCompiler compiler = new ConstraintCompiler(VOCAB, CompileLimits.DEFAULT);

    static boolean accepts(ConstraintCompiler compiler, ConstraintSpec spec, String text) throws Exception {
        ConstraintState state = compiler.compile(spec).start();
        long[] mask = new long[(compiler.vocabulary().size() + 63) / 64];
        for (int id : ByteVocabulary.bytes(text)) {
            state.fillAllowed(mask);
            boolean masked = (mask[id >>> 6] & (1L << id)) != 0;
            if (masked != state.allows(id)) {
                throw new AssertionError("mask and allows() disagree on byte " + id + " of " + text);
            }
            if (!masked) {
                return false;
            }
            state = state.advance(id);
        }
        return state.canEnd();
    }

    private boolean accepts(String schema, String text) throws Exception {
        return accepts(compiler, new ConstraintSpec.JsonSchema(JSON.readTree(schema)), text);
    }

    @Test
    void nestedObjectsWithRequiredAndOptionalProperties() throws Exception {
        String schema = """
                {"type":"object","properties":{"f":{"type":"object","properties":{"base":{"type":"integer"},
                "height":{"type":"integer"},"unit":{"type":"string"}},"required":["base","height"],
                "additionalProperties":false}},"required":["f"],"additionalProperties":false}""";
        assertTrue(accepts(schema, "{\"f\":{\"base\":10,\"height\":5,\"unit\":\"units\"}}"));
        assertTrue(accepts(schema, "{\"f\":{\"base\":10,\"height\":5}}"));
        assertFalse(accepts(schema, "{\"f\":{\"base\":10}}"));
        assertFalse(accepts(schema, "{\"f\":{\"base\":10,\"height\":5,\"other\":1}}"));
        assertFalse(accepts(schema, "{\"f\":{\"height\":5,\"base\":10}}"));
        assertFalse(accepts(schema, "{\"f\":{\"base\":1.5,\"height\":5}}"));
    }
}
