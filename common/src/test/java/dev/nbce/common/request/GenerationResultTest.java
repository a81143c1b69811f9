package dev.nbce.common.request;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class GenerationResultTest {
    @Test
    void toJsonHasTheDesignedShape() throws Exception {
        GenerationResult result = new GenerationResult("Paris", new int[] {42, 7}, new int[] {1, -1}, GenerationResult.EOS,
                new Usage(new int[] {10, 30, 31}, 71, 2), 2);
        String expected = "{\"text\":\"Paris\",\"token_ids\":[42,7],\"selected_windows\":[1,-1],\"finish_reason\":\"eos\","
                + "\"usage\":{\"prompt_tokens_per_row\":[10,30,31],\"prompt_tokens\":71,\"generated_tokens\":2},\"windows\":2}";
        assertEquals(Json.MAPPER.readTree(expected), result.toJson());
        assertEquals(expected, Json.MAPPER.writeValueAsString(result.toJson()), "field order as designed");
    }

    @Test
    void resultsAreValidatedAndCompareByValue() {
        Usage usage = new Usage(new int[] {1}, 1, 0);
        assertThrows(IllegalArgumentException.class,
                () -> new GenerationResult("", new int[0], new int[0], "error", usage, 0));
        assertThrows(IllegalArgumentException.class,
                () -> new GenerationResult("", new int[1], new int[0], GenerationResult.LENGTH, usage, 0));
        assertEquals(new GenerationResult("a", new int[] {1}, new int[] {0}, GenerationResult.STOP, usage, 1),
                new GenerationResult("a", new int[] {1}, new int[] {0}, GenerationResult.STOP, new Usage(new int[] {1}, 1, 0), 1));
    }
}
