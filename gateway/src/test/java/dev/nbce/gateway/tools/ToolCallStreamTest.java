package dev.nbce.gateway.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ToolCallStreamTest {

    /** Everything a stream sends for {@code text} pushed in pieces of {@code size} characters. */
    private static List<ToolCallStream.Delta> stream(ToolCallStream s, String text, int size) {
        List<ToolCallStream.Delta> out = new ArrayList<>();
        for (int i = 0; i < text.length(); i += size) {
            out.addAll(s.push(text.substring(i, Math.min(text.length(), i + size))));
        }
        out.addAll(s.finish());
        return out;
    }

    private static String content(List<ToolCallStream.Delta> deltas) {
        StringBuilder out = new StringBuilder();
        deltas.stream().filter(d -> d instanceof ToolCallStream.Content).forEach(d -> out.append(((ToolCallStream.Content) d).text()));
        return out.toString();
    }

    private static String arguments(List<ToolCallStream.Delta> deltas, int index) {
        StringBuilder out = new StringBuilder();
        for (ToolCallStream.Delta d : deltas) {
            if (d instanceof ToolCallStream.Arguments a && a.index() == index) {
                out.append(a.fragment());
            }
        }
        return out.toString();
    }

    @Test
    void eachCallStartsWithItsNameAndItsFragmentsJoinToTheFinishedArguments() {
        String text = "Checking.\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Oslo\"}}\n</tool_call>\n"
                + "<tool_call>\n{\"name\":\"get_time\",\"arguments\":{\"tz\":\"UTC\"}}\n</tool_call>";
        ToolCallReader.Answer whole = ToolCallReader.parse(text, ToolCallFormat.HERMES);
        for (int size : new int[] {1, 2, 3, 7, text.length()}) {
            ToolCallStream s = new ToolCallStream(ToolCallFormat.HERMES);
            List<ToolCallStream.Delta> deltas = stream(s, text, size);
            assertTrue(s.calledTools());
            assertEquals("Checking.\n", content(deltas), "size " + size);
            List<ToolCallStream.Start> starts = deltas.stream().filter(d -> d instanceof ToolCallStream.Start)
                    .map(d -> (ToolCallStream.Start) d).toList();
            assertEquals(List.of("get_weather", "get_time"), starts.stream().map(ToolCallStream.Start::name).toList());
            assertEquals(List.of(0, 1), starts.stream().map(ToolCallStream.Start::index).toList());
            assertTrue(starts.get(0).id().matches("call_[0-9a-f]{24}"), starts.get(0).id());
            for (int i = 0; i < 2; i++) {
                assertEquals(whole.calls().get(i).arguments(), arguments(deltas, i), "size " + size);
                int start = deltas.indexOf(starts.get(i));
                for (int j = 0; j < start; j++) {
                    assertFalse(deltas.get(j) instanceof ToolCallStream.Arguments a && a.index() == i);
                }
            }
        }
    }

    @Test
    void argumentsAreStreamedWhileTheyAreGenerated() {
        ToolCallStream s = new ToolCallStream(ToolCallFormat.HERMES);
        assertEquals(List.of(), s.push("<tool_call>\n{\"name\": \"f"));
        List<ToolCallStream.Delta> named = s.push("\", \"arguments\": {\"q\": \"ab");
        assertEquals(ToolCallStream.Start.class, named.get(0).getClass());
        assertEquals(new ToolCallStream.Arguments(0, "{\"q\": \"ab"), named.get(1));
        assertEquals(List.of(new ToolCallStream.Arguments(0, "c\"}")), s.push("c\"}}\n</tool"));
        assertEquals(List.of(), s.push("_call>"));
        assertEquals(List.of(), s.finish());
    }

    @Test
    void textThatOnlyLookedLikeTheStartOfACallIsContentInTheEnd() {
        ToolCallStream s = new ToolCallStream(ToolCallFormat.HERMES);
        List<ToolCallStream.Delta> deltas = stream(s, "a <tool_c", 1);
        assertEquals("a <tool_c", content(deltas));
        assertFalse(s.calledTools());
        ToolCallStream broken = new ToolCallStream(ToolCallFormat.HERMES);
        assertEquals("x<tool_call>oops", content(stream(broken, "x<tool_call>oops", 4)));
    }

    @Test
    void llamaJsonIsStreamedAsCalls() {
        String text = "{\"name\": \"f\", \"parameters\": {\"a\": 1}}; {\"name\": \"g\", \"parameters\": {}}";
        ToolCallStream s = new ToolCallStream(ToolCallFormat.LLAMA3_JSON);
        List<ToolCallStream.Delta> deltas = stream(s, text, 2);
        assertEquals("", content(deltas));
        assertEquals("{\"a\": 1}", arguments(deltas, 0));
        assertEquals("{}", arguments(deltas, 1));
        ToolCallStream plain = new ToolCallStream(ToolCallFormat.LLAMA3_JSON);
        assertEquals("Hello {there}", content(stream(plain, "Hello {there}", 1)));
        assertFalse(plain.calledTools());
    }
}
