package dev.nbce.gateway.tools;

import java.util.Locale;

/**
 * How a model writes a function call, which is how its answer is read into {@code tool_calls}, how a forced
 * tool choice is constrained, and how earlier calls are written back into a prompt whose template cannot
 * take them (docs/structured-output.md, "Tools"). Chosen by {@code NBCE_TOOL_CALL_PARSER}, as vLLM's
 * {@code --tool-call-parser}; {@code auto} picks by the chat template ({@link #auto}).
 */
public enum ToolCallFormat {
    /**
     * Hermes, as Qwen2.5/Qwen3 and NousResearch models write it: each call
     * {@code <tool_call>\n{"name": …, "arguments": {…}}\n</tool_call>}, several on separate lines.
     */
    HERMES("hermes", "<tool_call>\n", "\n</tool_call>", "\n", "arguments"),
    /**
     * Llama 3.1's JSON tool calling (Meta's "JSON based tool calling"): the answer is
     * {@code {"name": …, "parameters": {…}}}, several separated by {@code "; "} (vLLM's {@code llama3_json}).
     */
    LLAMA3_JSON("llama3_json", "", "", "; ", "parameters"),
    /** Tool calling is off: requests that offer tools to the model are refused. */
    NONE("none", "", "", "", "arguments");

    private final String settingName;
    private final String prefix;
    private final String suffix;
    private final String separator;
    private final String argumentsKey;

    ToolCallFormat(String settingName, String prefix, String suffix, String separator, String argumentsKey) {
        this.settingName = settingName;
        this.prefix = prefix;
        this.suffix = suffix;
        this.separator = separator;
        this.argumentsKey = argumentsKey;
    }

    /** The setting's value for this format: "hermes", "llama3_json", "none". */
    public String settingName() {
        return settingName;
    }

    /** What the model writes before a call's JSON object. */
    public String prefix() {
        return prefix;
    }

    /** What it writes after a call's JSON object. */
    public String suffix() {
        return suffix;
    }

    /** Between two calls of one answer. */
    public String separator() {
        return separator;
    }

    /** The key of a call's arguments in its JSON object ("arguments", or Llama's "parameters"). */
    public String argumentsKey() {
        return argumentsKey;
    }

    /**
     * The format a setting names; {@code auto} (or blank) picks by the chat template's source: Llama 3's
     * header tokens mean {@link #LLAMA3_JSON}, anything else (Qwen's {@code <tool_call>}, ChatML, Gemma)
     * {@link #HERMES}.
     *
     * @throws IllegalArgumentException for a value that is none of auto, hermes, llama3_json, none
     */
    public static ToolCallFormat of(String setting, String templateSource) {
        String value = setting == null ? "auto" : setting.strip().toLowerCase(Locale.ROOT);
        if (value.isEmpty() || value.equals("auto")) {
            return auto(templateSource);
        }
        for (ToolCallFormat format : values()) {
            if (format.settingName.equals(value)) {
                return format;
            }
        }
        throw new IllegalArgumentException("the tool-call parser must be one of auto, hermes, llama3_json, none; got '"
                + setting + "'");
    }

    /** The family's own format, from its chat template (null: a template-less model, which gets Hermes). */
    public static ToolCallFormat auto(String templateSource) {
        if (templateSource != null && !templateSource.contains("<tool_call>")
                && (templateSource.contains("<|start_header_id|>") || templateSource.contains("<|python_tag|>"))) {
            return LLAMA3_JSON;
        }
        return HERMES;
    }
}
