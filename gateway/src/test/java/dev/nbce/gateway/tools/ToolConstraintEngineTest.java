package dev.nbce.gateway.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nbce.common.error.InvalidRequestException;
import dev.nbce.gateway.request.Json;
import dev.nbce.gateway.request.Tool;
import dev.nbce.gateway.request.ToolChoice;
import dev.nbce.gateway.request.Tools;
import dev.nbce.structured.CompileLimits;
import dev.nbce.structured.ConstraintCompiler;
import dev.nbce.structured.ConstraintException;
import dev.nbce.structured.ConstraintState;
import dev.nbce.structured.TokenConstraint;
import dev.nbce.structured.vocab.TokenBytes;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The constraint of a forced tool choice through the engine, over a vocabulary of single bytes: whatever the
 * model picks among the allowed tokens, the answer is complete calls the format's reader finds, with
 * arguments valid against the parameters.
 */
class ToolConstraintEngineTest {
    private static final TokenBytes BYTES = bytes();
    private static final ConstraintCompiler ENGINE = new ConstraintCompiler(BYTES, CompileLimits.DEFAULT);
    private static final Tool WEATHER = ToolConstraintTest.tool("weather", "{\"type\":\"object\",\"properties\":{\"city\":"
            + "{\"enum\":[\"Oslo\",\"Lima\"]},\"days\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":7}},\"required\":"
            + "[\"city\",\"days\"],\"additionalProperties\":false}");
    private static final Tool TIME = ToolConstraintTest.tool("time", "{\"type\":\"object\",\"properties\":{}}");

    private static TokenBytes bytes() {
        List<byte[]> tokens = new ArrayList<>();
        for (int b = 0; b < 256; b++) {
            tokens.add(new byte[] {(byte) b});
        }
        return TokenBytes.of(tokens);
    }

    private static TokenConstraint compile(ToolChoice choice, boolean parallel, ToolCallFormat format)
            throws ConstraintException {
        return ENGINE.compile(ToolConstraint.of(new Tools(List.of(WEATHER, TIME), choice, parallel), format));
    }

    /** The state after {@code text}, or null when a byte of it is refused. */
    private static ConstraintState feed(TokenConstraint constraint, String text) {
        ConstraintState state = constraint.start();
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            if (!state.allows(b & 0xFF)) {
                return null;
            }
            state = state.advance(b & 0xFF);
        }
        return state;
    }

    @Test
    void aHermesCallIsAcceptedAndReadBack() throws ConstraintException {
        TokenConstraint one = compile(ToolChoice.REQUIRED, false, ToolCallFormat.HERMES);
        String call = "<tool_call>\n{\"name\":\"weather\",\"arguments\":{\"city\":\"Oslo\",\"days\":3}}\n</tool_call>";
        ConstraintState end = feed(one, call);
        assertTrue(end != null && end.mustEnd(), "one call, then only the end");
        assertEquals(List.of(new ToolCallReader.Call("weather", "{\"city\":\"Oslo\",\"days\":3}")),
                ToolCallReader.parse(call, ToolCallFormat.HERMES).calls());
        for (String refused : new String[] {"Sure! <tool_call>", "<tool_call>\n{\"name\":\"forecast\"",
                "<tool_call>\n{\"name\":\"weather\",\"arguments\":{\"city\":\"Rome\"",
                "<tool_call>\n{\"name\":\"weather\",\"arguments\":{\"city\":\"Oslo\",\"days\":9",
                "<tool_call>\n{\"name\":\"weather\",\"arguments\":{\"city\":\"Oslo\",\"days\":3,\"x\""}) {
            assertEquals(null, feed(one, refused), refused);
        }
    }

    @Test
    void parallelCallsAreSeparatedAsTheFormatSeparatesThem() throws ConstraintException {
        TokenConstraint many = compile(ToolChoice.REQUIRED, true, ToolCallFormat.HERMES);
        String first = "<tool_call>\n{\"name\":\"time\",\"arguments\":{}}\n</tool_call>";
        ConstraintState afterOne = feed(many, first);
        assertTrue(afterOne.canEnd() && !afterOne.mustEnd());
        String two = first + "\n<tool_call>\n{\"name\":\"weather\",\"arguments\":{\"city\":\"Lima\",\"days\":7}}\n</tool_call>";
        assertTrue(feed(many, two).canEnd());
        assertEquals(2, ToolCallReader.parse(two, ToolCallFormat.HERMES).calls().size());
        TokenConstraint llama = compile(ToolChoice.REQUIRED, true, ToolCallFormat.LLAMA3_JSON);
        String calls = "{\"name\":\"time\",\"parameters\":{}}; {\"name\":\"weather\",\"parameters\":{\"city\":\"Oslo\",\"days\":1}}";
        assertTrue(feed(llama, calls).canEnd());
        assertEquals(List.of(new ToolCallReader.Call("time", "{}"), new ToolCallReader.Call("weather",
                "{\"city\":\"Oslo\",\"days\":1}")), ToolCallReader.parse(calls, ToolCallFormat.LLAMA3_JSON).calls());
    }

    @Test
    void aNamedFunctionIsTheOnlyCallAllowed() throws ConstraintException {
        TokenConstraint time = compile(ToolChoice.function("time"), true, ToolCallFormat.HERMES);
        assertEquals(null, feed(time, "<tool_call>\n{\"name\":\"weather\""));
        assertTrue(feed(time, "<tool_call>\n{\"name\":\"time\",\"arguments\":{}}\n</tool_call>").canEnd());
    }

    @Test
    void whateverAllowedTokensARandomModelPicksTheAnswerIsValidCalls() throws Exception {
        for (ToolCallFormat format : new ToolCallFormat[] {ToolCallFormat.HERMES, ToolCallFormat.LLAMA3_JSON}) {
            TokenConstraint constraint = compile(ToolChoice.REQUIRED, true, format);
            for (int seed = 0; seed < 20; seed++) {
                Random random = new Random(seed);
                ConstraintState state = constraint.start();
                java.io.ByteArrayOutputStream text = new java.io.ByteArrayOutputStream();
                long[] mask = new long[(BYTES.size() + 63) / 64];
                // end as soon as allowed half of the time, as a model whose EOS is likely
                while (!state.mustEnd() && !(state.canEnd() && random.nextBoolean())) {
                    state.fillAllowed(mask);
                    List<Integer> allowed = new ArrayList<>();
                    for (int id = 0; id < BYTES.size(); id++) {
                        if ((mask[id >>> 6] & (1L << id)) != 0) {
                            allowed.add(id);
                        }
                    }
                    assertFalse(allowed.isEmpty(), "a state that cannot end allows a token");
                    int id = allowed.get(random.nextInt(allowed.size()));
                    text.write(id);
                    state = state.advance(id);
                    assertTrue(text.size() < 4000, text.toString(StandardCharsets.UTF_8));
                }
                String answerText = StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(text.toByteArray()))
                        .toString(); // the engine writes whole UTF-8 characters
                ToolCallReader.Answer answer = ToolCallReader.parse(answerText, format);
                assertFalse(answer.calls().isEmpty(), format + " seed " + seed + ": " + answerText);
                for (ToolCallReader.Call call : answer.calls()) {
                    JsonNode args = Json.MAPPER.readTree(call.arguments());
                    assertTrue(args.isObject(), call.arguments());
                    if (!call.name().equals("time")) { // time's parameters allow any properties (no additionalProperties)
                        assertEquals("weather", call.name());
                        assertTrue(List.of("Oslo", "Lima").contains(args.get("city").asText()), call.arguments());
                        int days = args.get("days").asInt();
                        assertTrue(args.get("days").isIntegralNumber() && days >= 1 && days <= 7, call.arguments());
                        assertEquals(2, args.size(), call.arguments());
                    }
                }
            }
        }
    }

    @Test
    void parametersTheEngineRefusesAreA400NamingTheToolAndThePath() {
        Tool refused = ToolConstraintTest.tool("f", "{\"type\":\"object\",\"properties\":{\"a\":{\"not\":{\"type\":\"string\"}}}}");
        InvalidRequestException e = assertThrows(InvalidRequestException.class, () -> ToolConstraint.checkParameters(
                new Tools(List.of(TIME, refused), ToolChoice.AUTO, true), ENGINE::compile));
        assertEquals("tools[1].function.parameters/properties/a/not", e.field());
    }
}
