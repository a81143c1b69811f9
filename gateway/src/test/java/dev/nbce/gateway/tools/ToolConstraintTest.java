package dev.nbce.gateway.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nbce.common.error.InvalidRequestException;
import dev.nbce.gateway.request.Json;
import dev.nbce.gateway.request.RequestParser;
import dev.nbce.gateway.request.Tool;
import dev.nbce.gateway.request.ToolChoice;
import dev.nbce.gateway.request.Tools;
import dev.nbce.structured.ConstraintException;
import dev.nbce.structured.ConstraintSpec;
import dev.nbce.structured.ConstraintSpec.AnyOf;
import dev.nbce.structured.ConstraintSpec.JsonSchema;
import dev.nbce.structured.ConstraintSpec.Literal;
import dev.nbce.structured.ConstraintSpec.Repeat;
import dev.nbce.structured.ConstraintSpec.Sequence;
import java.util.List;
import org.junit.jupiter.api.Test;

class ToolConstraintTest {

    static Tool tool(String name, String parameters) {
        ObjectNode schema = (ObjectNode) RequestParser.readTree(parameters);
        ObjectNode definition = Json.MAPPER.createObjectNode().put("type", "function");
        definition.putObject("function").put("name", name).set("parameters", schema);
        return new Tool(name, null, schema, false, definition);
    }

    private static final Tool WEATHER = tool("get_weather",
            "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},\"required\":[\"city\"]}");
    private static final Tool TIME = tool("get_time", "{\"type\":\"object\",\"properties\":{}}");

    @Test
    void onlyAForcedChoiceIsConstrained() {
        assertNull(ToolConstraint.of(new Tools(List.of(WEATHER), ToolChoice.AUTO, true), ToolCallFormat.HERMES));
        assertNull(ToolConstraint.of(new Tools(List.of(WEATHER), ToolChoice.NONE, true), ToolCallFormat.HERMES));
        assertNull(ToolConstraint.of(Tools.NONE, ToolCallFormat.HERMES));
    }

    @Test
    void requiredIsAnyToolInTheFormatRepeatedWithItsSeparator() {
        ConstraintSpec spec = ToolConstraint.of(new Tools(List.of(WEATHER, TIME), ToolChoice.REQUIRED, true),
                ToolCallFormat.HERMES);
        ConstraintSpec weather = new Sequence(List.of(new Literal("<tool_call>\n"), new JsonSchema(RequestParser.readTree("{\"type\":\"object\",\"properties\":{\"name\":{\"const\":"
                        + "\"get_weather\"},\"arguments\":{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},"
                        + "\"required\":[\"city\"]}},\"required\":[\"name\",\"arguments\"],\"additionalProperties\":false}")),
                new Literal("\n</tool_call>")));
        Repeat repeat = (Repeat) spec;
        assertEquals("\n", repeat.separator());
        assertEquals(1, repeat.min());
        assertEquals(ToolConstraint.MAX_PARALLEL_CALLS, repeat.max());
        AnyOf any = (AnyOf) repeat.item();
        assertEquals(weather, any.options().get(0));
        assertEquals(2, any.options().size());
    }

    @Test
    void aNamedFunctionWithoutParallelCallsIsExactlyOneCallOfIt() throws ConstraintException {
        ConstraintSpec spec = ToolConstraint.of(new Tools(List.of(WEATHER, TIME), ToolChoice.function("get_time"), false),
                ToolCallFormat.LLAMA3_JSON);
        // Llama's calls have no prefix or suffix: the call is the JSON object alone
        assertEquals("{\"type\":\"object\",\"properties\":{\"name\":{\"const\":\"get_time\"},\"parameters\":{\"type\":"
                + "\"object\",\"properties\":{}}},\"required\":[\"name\",\"parameters\"],\"additionalProperties\":false}",
                ((JsonSchema) spec).schema().toString());
        assertEquals(spec, ConstraintSpec.fromJson(spec.toJson()));
    }

    @Test
    void aParametersSchemaTheEngineRefusesIsA400NamingTheToolAndThePath() {
        Tools tools = new Tools(List.of(TIME, WEATHER), ToolChoice.AUTO, true);
        InvalidRequestException e = assertThrows(InvalidRequestException.class, () -> ToolConstraint.checkParameters(tools,
                spec -> {
                    if (((JsonSchema) spec).schema().path("properties").has("city")) {
                        throw new ConstraintException("/properties/city/type", "unsupported");
                    }
                }));
        assertEquals("tools[1].function.parameters/properties/city/type", e.field());
        ToolConstraint.checkParameters(tools, spec -> { });
    }
}
