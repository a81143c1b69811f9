package dev.nbce.gateway.request;

import java.util.List;

/**
 * The functions a chat request offers and how it lets the model use them (docs/structured-output.md, "Tools").
 *
 * @param functions the tools, in the client's order (names distinct)
 * @param choice    {@code tool_choice}; OpenAI's default is AUTO with tools and NONE without
 * @param parallel  {@code parallel_tool_calls}: a forced answer may hold several calls
 */
public record Tools(List<Tool> functions, ToolChoice choice, boolean parallel) {
    public static final Tools NONE = new Tools(List.of(), ToolChoice.NONE, true);

    public Tools {
        functions = List.copyOf(functions);
        if (choice == null) {
            throw new IllegalArgumentException("tool_choice is required (NONE without tools)");
        }
        if (choice.mode() != ToolChoice.Mode.NONE && functions.isEmpty()) {
            throw new IllegalArgumentException("a tool choice other than none needs tools");
        }
    }

    /** The model is shown the tools and its answer is read for calls. */
    public boolean offered() {
        return choice.mode() != ToolChoice.Mode.NONE;
    }

    /** The tools the answer may call: the named one for a FUNCTION choice, else all. */
    public List<Tool> callable() {
        if (choice.mode() == ToolChoice.Mode.FUNCTION) {
            return functions.stream().filter(t -> t.name().equals(choice.function())).toList();
        }
        return offered() ? functions : List.of();
    }
}
