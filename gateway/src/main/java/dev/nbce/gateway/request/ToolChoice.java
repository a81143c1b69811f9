package dev.nbce.gateway.request;

/**
 * OpenAI's {@code tool_choice}: whether the model may, must, or must not call a function.
 *
 * @param function the function a {@link Mode#FUNCTION} choice names; null otherwise
 */
public record ToolChoice(Mode mode, String function) {
    public enum Mode {
        /** No call: the tools are not offered to the model. */
        NONE,
        /** The model decides; its answer is parsed for calls. */
        AUTO,
        /** At least one call, enforced by a constraint. */
        REQUIRED,
        /** A call of {@link #function()}, enforced by a constraint. */
        FUNCTION
    }

    public static final ToolChoice NONE = new ToolChoice(Mode.NONE, null);
    public static final ToolChoice AUTO = new ToolChoice(Mode.AUTO, null);
    public static final ToolChoice REQUIRED = new ToolChoice(Mode.REQUIRED, null);

    public ToolChoice {
        if (mode == null || (mode == Mode.FUNCTION) != (function != null)) {
            throw new IllegalArgumentException("a function choice names its function, no other choice does");
        }
    }

    public static ToolChoice function(String name) {
        return new ToolChoice(Mode.FUNCTION, name);
    }

    /** REQUIRED or FUNCTION: the answer must be a call. */
    public boolean forced() {
        return mode == Mode.REQUIRED || mode == Mode.FUNCTION;
    }
}
