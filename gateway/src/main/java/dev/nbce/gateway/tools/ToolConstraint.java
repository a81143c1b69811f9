package dev.nbce.gateway.tools;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nbce.common.error.InvalidRequestException;
import dev.nbce.gateway.request.Json;
import dev.nbce.gateway.request.Tool;
import dev.nbce.gateway.request.Tools;
import dev.nbce.structured.ConstraintException;
import dev.nbce.structured.ConstraintSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * The constraint of a forced tool choice ({@code required} or a named function): the answer is one call —
 * or, with {@code parallel_tool_calls}, up to {@value #MAX_PARALLEL_CALLS} calls separated as the format
 * separates them — of one of the callable functions, each written as the format writes it (prefix, the
 * compact JSON object {@code {"name": …, "arguments": …}} with arguments valid against the function's
 * {@code parameters}, suffix). The reader of that format then always finds the calls.
 */
public final class ToolConstraint {
    /** The most calls one constrained answer may hold. */
    public static final int MAX_PARALLEL_CALLS = 8;

    private ToolConstraint() {}

    /** The constraint, or null when the choice does not force a call. */
    public static ConstraintSpec of(Tools tools, ToolCallFormat format) {
        if (!tools.choice().forced()) {
            return null;
        }
        List<ConstraintSpec> calls = new ArrayList<>();
        for (Tool tool : tools.callable()) {
            ConstraintSpec call = new ConstraintSpec.JsonSchema(callSchema(tool, format));
            calls.add(format.prefix().isEmpty() && format.suffix().isEmpty() ? call
                    : new ConstraintSpec.Sequence(List.of(new ConstraintSpec.Literal(format.prefix()), call,
                            new ConstraintSpec.Literal(format.suffix()))));
        }
        ConstraintSpec one = calls.size() == 1 ? calls.get(0) : new ConstraintSpec.AnyOf(calls);
        return tools.parallel() ? new ConstraintSpec.Repeat(one, format.separator(), 1, MAX_PARALLEL_CALLS) : one;
    }

    /** {@code {"name": <const>, "<arguments key>": <parameters>}}, both required, nothing else. */
    static ObjectNode callSchema(Tool tool, ToolCallFormat format) {
        ObjectNode schema = Json.MAPPER.createObjectNode().put("type", "object");
        ObjectNode properties = schema.putObject("properties");
        properties.putObject("name").put("const", tool.name());
        properties.set(format.argumentsKey(), tool.parameters());
        schema.putArray("required").add("name").add(format.argumentsKey());
        schema.put("additionalProperties", false);
        return schema;
    }

    /** Compiles one constraint (the engine's {@code ConstraintCompiler::compile}). */
    @FunctionalInterface
    public interface Compiler {
        void compile(ConstraintSpec spec) throws ConstraintException;
    }

    /**
     * Compiles every offered function's {@code parameters} alone, so that a schema the engine refuses is a 400
     * naming {@code tools[i].function.parameters} and the path inside it, whichever tool choice the request
     * makes (compiled schemas are cached, so the forced choice's constraint reuses them). An asynchronous
     * compiler does the same with {@link #parameterSchemas} and {@link #refused}.
     */
    public static void checkParameters(Tools tools, Compiler compiler) {
        List<ConstraintSpec> schemas = parameterSchemas(tools);
        for (int i = 0; i < schemas.size(); i++) {
            try {
                compiler.compile(schemas.get(i));
            } catch (ConstraintException e) {
                throw refused(i, e);
            }
        }
    }

    /** Each offered function's {@code parameters} as a constraint, in the order of {@code tools}. */
    public static List<ConstraintSpec> parameterSchemas(Tools tools) {
        return tools.functions().stream().<ConstraintSpec>map(t -> new ConstraintSpec.JsonSchema(t.parameters())).toList();
    }

    /** The 400 for tool {@code index}'s parameters, which the engine refused. */
    public static InvalidRequestException refused(int index, ConstraintException e) {
        String field = "tools[" + index + "].function.parameters" + e.path();
        return new InvalidRequestException(field, field + ": " + e.getMessage());
    }
}
