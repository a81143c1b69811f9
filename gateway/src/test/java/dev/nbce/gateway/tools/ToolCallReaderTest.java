package dev.nbce.gateway.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ToolCallReaderTest {

    private static ToolCallReader.Answer hermes(String text) {
        return ToolCallReader.parse(text, ToolCallFormat.HERMES);
    }

    private static ToolCallReader.Answer llama(String text) {
        return ToolCallReader.parse(text, ToolCallFormat.LLAMA3_JSON);
    }

    @Test
    void hermesCallsAsQwenWritesThemWithTheContentBefore() {
        ToolCallReader.Answer a = hermes("Let me look.\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": "
                + "{\"city\": \"Oslo\", \"days\": [1, 2]}}\n</tool_call>\n<tool_call>\n{\"name\": \"get_time\", "
                + "\"arguments\": {}}\n</tool_call>");
        assertEquals("Let me look.\n", a.content());
        assertEquals(List.of(new ToolCallReader.Call("get_weather", "{\"city\": \"Oslo\", \"days\": [1, 2]}"),
                new ToolCallReader.Call("get_time", "{}")), a.calls());
    }

    @Test
    void theCompactFormTheConstraintWritesIsRead() {
        ToolCallReader.Answer a = hermes("<tool_call>\n{\"name\":\"f\",\"arguments\":{\"s\":\"}</tool_call>\\\"{\"}}\n</tool_call>");
        assertNull(a.content());
        assertEquals(List.of(new ToolCallReader.Call("f", "{\"s\":\"}</tool_call>\\\"{\"}")), a.calls());
    }

    @Test
    void argumentsBeforeTheNameAreReadToo() {
        assertEquals(List.of(new ToolCallReader.Call("f", "{\"a\": 1}")),
                hermes("<tool_call>{\"arguments\": {\"a\": 1}, \"name\": \"f\"}</tool_call>").calls());
    }

    @ParameterizedTest
    @ValueSource(strings = {"just text", "<tool_call>\n{\"name\": \"f\", \"arguments\": {\"a\": }}\n</tool_call>",
            "<tool_call>\n{\"name\": \"f\"}\n</tool_call>", "<tool_call>\n{\"name\": 3, \"arguments\": {}}\n</tool_call>",
            "<tool_call>\n{\"name\": \"f\", \"arguments\": \"{}\"}\n</tool_call>", "<tool_call>\nnot json\n</tool_call>",
            "<tool_call>\n{\"name\": \"f\", \"arguments\": {}", "<tool_call>\n{\"name\": \"f\", \"arguments\": {}}\n</tool_"})
    void anAnswerWithoutAWellFormedCallIsAllContent(String text) {
        ToolCallReader.Answer a = hermes(text);
        assertEquals(text, a.content());
        assertEquals(List.of(), a.calls());
    }

    @Test
    void llamaJsonCallsSeparatedBySemicolons() {
        ToolCallReader.Answer a = llama("<|python_tag|>{\"name\": \"get_weather\", \"parameters\": {\"city\": \"Oslo\"}}; "
                + "{\"name\": \"get_time\", \"parameters\": {}}");
        assertNull(a.content());
        assertEquals(List.of(new ToolCallReader.Call("get_weather", "{\"city\": \"Oslo\"}"),
                new ToolCallReader.Call("get_time", "{}")), a.calls());
        assertEquals(List.of(new ToolCallReader.Call("f", "{\"x\":true}")),
                llama(" {\"name\":\"f\",\"arguments\":{\"x\":true}}").calls());
    }

    @Test
    void llamaTextThatDoesNotStartWithAnObjectIsContent() {
        assertEquals(List.of(), llama("The answer is {\"name\": \"f\", \"parameters\": {}}").calls());
        assertEquals("{not a call}", llama("{not a call}").content());
    }

    @Test
    void aPartialAnswerHoldsBackWhatMayStartACall() {
        ToolCallReader.Snapshot s = ToolCallReader.read("Sure <tool_c", ToolCallFormat.HERMES, false);
        assertFalse(s.calling());
        assertEquals("Sure ".length(), s.contentEnd());
        ToolCallReader.Snapshot writing = ToolCallReader.read("Sure <tool_call>\n{\"name\": \"get_w", ToolCallFormat.HERMES,
                false);
        assertTrue(writing.calling());
        assertEquals("Sure ".length(), writing.contentEnd());
        assertNull(writing.calls().get(0).name());
        ToolCallReader.Snapshot args = ToolCallReader.read("<tool_call>{\"name\": \"f\", \"arguments\": {\"a\": [1, ",
                ToolCallFormat.HERMES, false);
        ToolCallReader.Partial call = args.calls().get(0);
        assertEquals("f", call.name());
        assertEquals(-1, call.argsEnd());
        assertEquals("<tool_call>{\"name\": \"f\", \"arguments\": ".length(), call.argsStart());
        assertFalse(ToolCallReader.read("<tool_call>{\"name\"", ToolCallFormat.HERMES, false).malformed());
        assertTrue(ToolCallReader.read("<tool_call>[", ToolCallFormat.HERMES, false).malformed());
    }
}
