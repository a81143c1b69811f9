package dev.nbce.gateway.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nbce.common.error.ClientText;
import dev.nbce.common.error.ErrorCode;
import dev.nbce.common.error.InvalidRequestException;
import dev.nbce.common.error.NbceException;
import dev.nbce.gateway.request.ConstraintFields;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nbce.gateway.request.GenerationRequest;
import dev.nbce.gateway.request.Json;
import dev.nbce.gateway.request.OutputOptions;
import dev.nbce.gateway.request.RequestParser;
import dev.nbce.gateway.request.Tool;
import dev.nbce.gateway.request.ToolChoice;
import dev.nbce.gateway.request.Tools;
import dev.nbce.gateway.tools.ToolCallFormat;
import dev.nbce.gateway.tools.ToolConstraint;
import dev.nbce.structured.ConstraintSpec;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * Reads OpenAI chat-completions and completions bodies into our request (docs/api.md, "OpenAI API"). Every
 * field OpenAI defines is implemented, accepted and ignored, or — where honouring it would need something
 * this server does not do (several choices) — accepted at its default and refused
 * otherwise, by name. Tools ({@code tools}, {@code tool_choice}, {@code parallel_tool_calls}) are read into
 * {@link Tools}; a forced choice sets the request's constraint ({@link ToolConstraint}). Fields OpenAI does not
 * define are refused unless they are our extensions, which
 * {@link RequestParser} reads as in a native request. The result is validated by {@link GenerationRequest}.
 */
final class OpenAiRequestParser {
    /** Ours, beside OpenAI's: the NBCE inputs and parameters, as in the native request, and vLLM's constraints. */
    private static final Set<String> EXTENSIONS = Set.of("contexts", "document", "user_template", "top_k", "nbce",
            "window_tokens", "structured_outputs", "guided_choice", "guided_regex", "guided_json");
    private static final Set<String> COMMON = Set.of("model", "stream", "stream_options", "max_tokens", "temperature",
            "top_p", "seed", "stop", "n", "presence_penalty", "frequency_penalty", "logprobs", "logit_bias", "user", "response_format");
    /** Chat fields accepted for any well-typed value and ignored: bookkeeping that does not change the answer. */
    private static final Set<String> CHAT_IGNORED = Set.of("metadata", "store", "service_tier", "prompt_cache_key",
            "safety_identifier", "reasoning_effort", "verbosity");
    private static final Set<String> CHAT = union(COMMON, CHAT_IGNORED, EXTENSIONS, Set.of("messages",
            "max_completion_tokens", "top_logprobs", "modalities", "tools", "tool_choice",
            "parallel_tool_calls", "functions", "function_call", "audio", "prediction", "web_search_options"));
    private static final Set<String> COMPLETION = union(COMMON, EXTENSIONS, Set.of("prompt", "best_of", "echo", "suffix"));
    private static final int MAX_STOP = 4;
    /** The legacy completions API allows at most 5 alternatives per token. */
    private static final int MAX_COMPLETION_LOGPROBS = 5;

    /** OpenAI's limit on a function's name: letters, digits, underscores and dashes, at most 64. */
    private static final java.util.regex.Pattern FUNCTION_NAME = java.util.regex.Pattern.compile("[a-zA-Z0-9_-]{1,64}");
    /** The most functions one request may offer (OpenAI's limit). */
    static final int MAX_TOOLS = 128;

    private final String servedModel;
    private final ToolCallFormat toolFormat;

    OpenAiRequestParser(String servedModel) {
        this(servedModel, ToolCallFormat.HERMES);
    }

    OpenAiRequestParser(String servedModel, ToolCallFormat toolFormat) {
        this.servedModel = servedModel;
        this.toolFormat = toolFormat;
    }

    OpenAiRequest chat(JsonNode body) {
        OpenAiFields f = fields(body, CHAT);
        Shared shared = shared(f);
        List<OpenAiMessages.Turn> turns = OpenAiMessages.check(f.array("messages"), body.has("messages"));
        Integer maxTokens = f.integer("max_completion_tokens", 1, GenerationRequest.MAX_NEW_TOKENS_LIMIT);
        if (maxTokens == null) {
            maxTokens = f.integer("max_tokens", 1, GenerationRequest.MAX_NEW_TOKENS_LIMIT);
        }
        Boolean logprobs = f.bool("logprobs");
        Integer top = f.integer("top_logprobs", 0, OutputOptions.MAX_TOP_LOGPROBS);
        if (top != null && !Boolean.TRUE.equals(logprobs)) {
            throw new InvalidRequestException("top_logprobs", "top_logprobs needs logprobs: true");
        }
        boolean wantsLogprobs = Boolean.TRUE.equals(logprobs);
        onlyDefaults(f);
        Tools tools = tools(f);
        return finish(f, body, shared, turns, null, maxTokens, wantsLogprobs ? (top == null ? 0 : top) : null, tools);
    }

    OpenAiRequest completion(JsonNode body) {
        OpenAiFields f = fields(body, COMPLETION);
        Shared shared = shared(f);
        String prompt = prompt(f);
        Integer maxTokens = f.integer("max_tokens", 1, GenerationRequest.MAX_NEW_TOKENS_LIMIT);
        Integer logprobs = f.integer("logprobs", 0, MAX_COMPLETION_LOGPROBS);
        Integer bestOf = f.integer("best_of", 1, Integer.MAX_VALUE);
        if (bestOf != null && bestOf != 1) {
            throw f.unsupported("best_of", "must be 1: one answer per request");
        }
        if (Boolean.TRUE.equals(f.bool("echo"))) {
            throw f.unsupported("echo", "is not supported; send echo: false (the default)");
        }
        if (f.string("suffix") != null) {
            throw f.unsupported("suffix", "is not supported (no insertion)");
        }
        return finish(f, body, shared, List.of(), prompt, maxTokens, logprobs, Tools.NONE);
    }

    private OpenAiFields fields(JsonNode body, Set<String> known) {
        if (body == null || !body.isObject()) {
            throw new InvalidRequestException(null, "request body must be a JSON object");
        }
        for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!known.contains(field)) {
                throw new InvalidRequestException(field, "unknown field '" + ClientText.excerpt(field, 40)
                        + "': neither an OpenAI field nor one of this server's extensions ("
                        + String.join(", ", EXTENSIONS.stream().sorted().toList()) + ")");
            }
        }
        return new OpenAiFields(body, "");
    }

    /** OpenAI's fields both APIs share, checked; null where absent. */
    private record Shared(Double temperature, Double topP, Long seed, Double presencePenalty, Double frequencyPenalty,
                          List<String> stop, int choices) {}

    /** The fields both APIs share; the model is checked last, after the types. */
    private static Shared shared(OpenAiFields f) {
        Integer n = f.integer("n", 1, Integer.MAX_VALUE);
        if (n != null && n > OpenAiRequest.MAX_CHOICES) {
            throw new InvalidRequestException("n", "n must be within 1.." + OpenAiRequest.MAX_CHOICES + ", got " + n);
        }
        Double temperature = f.number("temperature", 0, 2);
        Double topP = f.number("top_p"); // its range is StepParams'
        Long seed = f.whole("seed", Long.MIN_VALUE, Long.MAX_VALUE);
        Double presence = f.number("presence_penalty", -2, 2);
        Double frequency = f.number("frequency_penalty", -2, 2);
        List<String> stop = stop(f);
        f.string("user"); // ignored: OpenAI's end-user id, for abuse monitoring
        return new Shared(temperature, topP, seed, presence, frequency, stop, n == null ? 1 : n);
    }

    private static List<String> stop(OpenAiFields f) {
        JsonNode stop = f.get("stop");
        if (stop == null) {
            return List.of();
        }
        if (stop.isTextual()) {
            return List.of(stop.asText());
        }
        if (!stop.isArray() || stop.size() > MAX_STOP) {
            throw new InvalidRequestException("stop", "stop must be a string or an array of at most " + MAX_STOP
                    + " strings, got " + RequestParser.describe(stop));
        }
        List<String> stops = new ArrayList<>(stop.size());
        for (int i = 0; i < stop.size(); i++) {
            if (!stop.get(i).isTextual()) {
                throw new InvalidRequestException("stop", "stop[" + i + "] must be a string, got "
                        + RequestParser.describe(stop.get(i)));
            }
            stops.add(stop.get(i).asText());
        }
        return stops;
    }

    /** A string, or an array of exactly one string; token-id prompts and batches are refused. */
    private static String prompt(OpenAiFields f) {
        JsonNode prompt = f.get("prompt");
        if (prompt == null) {
            throw new InvalidRequestException("prompt", "prompt is required");
        }
        if (prompt.isArray() && prompt.size() == 1 && prompt.get(0).isTextual()) {
            return prompt.get(0).asText();
        }
        if (!prompt.isTextual()) {
            throw new InvalidRequestException("prompt", "prompt must be a string (or an array of one string; token ids"
                    + " and batches of prompts are not supported), got " + RequestParser.describe(prompt));
        }
        return prompt.asText();
    }

    /** Chat fields that ask for tools or audio: accepted at their defaults only. */
    private static void onlyDefaults(OpenAiFields f) {
        for (String ignored : CHAT_IGNORED) {
            switch (ignored) {
                case "metadata" -> f.object(ignored);
                case "store", "parallel_tool_calls" -> f.bool(ignored);
                default -> f.string(ignored);
            }
        }
        JsonNode modalities = f.array("modalities");
        if (modalities != null && !(modalities.size() == 1 && "text".equals(modalities.get(0).asText(null)))) {
            throw f.unsupported("modalities", "must be [\"text\"]");
        }
        JsonNode functions = f.array("functions");
        if (functions != null && !functions.isEmpty()) {
            throw f.unsupported("functions", "are not supported (deprecated): send \"tools\"");
        }
        JsonNode functionCall = f.get("function_call");
        if (functionCall != null && !(functionCall.isTextual() && Set.of("none", "auto").contains(functionCall.asText()))) {
            throw f.unsupported("function_call", "is not supported (deprecated): send \"tool_choice\"");
        }
        for (String absent : new String[] {"audio", "prediction", "web_search_options"}) {
            if (f.has(absent)) {
                throw f.unsupported(absent, "is not supported (send null or leave it out)");
            }
        }
    }

    /** The request offering {@code tools}; a forced choice is its constraint, which no other constraint may join. */
    private GenerationRequest withTools(GenerationRequest request, Tools tools) {
        ConstraintSpec calls = ToolConstraint.of(tools, toolFormat);
        if (calls != null && request.constraint() != null) {
            throw new InvalidRequestException("tool_choice", "tool_choice \"" + tools.choice().mode().name()
                    .toLowerCase(java.util.Locale.ROOT) + "\" makes the answer a function call: it cannot also follow "
                    + request.constraintField());
        }
        request = tools.functions().isEmpty() ? request : request.withTools(tools);
        return calls == null ? request : request.withConstraint("tool_choice", calls);
    }

    /** {@code tools}, {@code tool_choice} and {@code parallel_tool_calls}. */
    private Tools tools(OpenAiFields f) {
        JsonNode list = f.array("tools");
        Boolean parallel = f.bool("parallel_tool_calls");
        List<Tool> functions = new ArrayList<>();
        if (list != null) {
            if (list.size() > MAX_TOOLS) {
                throw new InvalidRequestException("tools", "tools may hold at most " + MAX_TOOLS + " functions, got "
                        + list.size());
            }
            java.util.Set<String> names = new java.util.HashSet<>();
            for (int i = 0; i < list.size(); i++) {
                Tool tool = tool(list.get(i), "tools[" + i + "]");
                if (!names.add(tool.name())) {
                    throw new InvalidRequestException("tools[" + i + "].function.name", "tools[" + i
                            + "].function.name '" + tool.name() + "' is given twice");
                }
                functions.add(tool);
            }
        }
        ToolChoice choice = toolChoice(f.get("tool_choice"), functions);
        if (choice.mode() != ToolChoice.Mode.NONE && toolFormat == ToolCallFormat.NONE) {
            throw f.unsupported("tools", "are off on this server (NBCE_TOOL_CALL_PARSER=none): send tool_choice"
                    + " \"none\" or no tools");
        }
        return new Tools(functions, choice, parallel == null || parallel);
    }

    /** {@code {"type": "function", "function": {"name", "description", "parameters", "strict"}}}. */
    private static Tool tool(JsonNode tool, String at) {
        if (!tool.isObject()) {
            throw new InvalidRequestException(at, at + " must be an object, got " + RequestParser.describe(tool));
        }
        OpenAiFields t = new OpenAiFields(tool, at + ".");
        String type = t.string("type");
        if (!"function".equals(type)) {
            throw new InvalidRequestException(at + ".type", at + ".type must be \"function\" (the only kind of tool"
                    + " served), got " + (type == null ? "nothing" : "'" + ClientText.excerpt(type, 40) + "'"));
        }
        JsonNode function = t.object("function");
        if (function == null) {
            throw new InvalidRequestException(at + ".function", at + ".function is required");
        }
        OpenAiFields fn = new OpenAiFields(function, at + ".function.");
        String name = fn.string("name");
        if (name == null || !FUNCTION_NAME.matcher(name).matches()) {
            throw new InvalidRequestException(fn.path("name"), fn.path("name") + " must be 1 to 64 letters, digits,"
                    + " underscores or dashes, got " + (name == null ? "nothing" : "'" + ClientText.excerpt(name, 80) + "'"));
        }
        String description = fn.string("description");
        JsonNode parameters = fn.object("parameters");
        if (parameters != null && parameters.has("type") && !"object".equals(parameters.get("type").asText(null))) {
            throw new InvalidRequestException(fn.path("parameters") + "/type", fn.path("parameters")
                    + " must be an object schema (\"type\": \"object\"), got type " + parameters.get("type"));
        }
        Boolean strict = fn.bool("strict");
        ObjectNode schema = parameters == null ? Json.MAPPER.createObjectNode().put("type", "object")
                : (ObjectNode) parameters.deepCopy();
        if (parameters == null) { // OpenAI: "omitting parameters defines a function with an empty parameter list"
            schema.putObject("properties");
            schema.put("additionalProperties", false);
        }
        return new Tool(name, description, schema, Boolean.TRUE.equals(strict), tool.deepCopy());
    }

    /** {@code "none"}, {@code "auto"}, {@code "required"} or {@code {"type": "function", "function": {"name"}}}. */
    private static ToolChoice toolChoice(JsonNode value, List<Tool> functions) {
        if (value == null) {
            return functions.isEmpty() ? ToolChoice.NONE : ToolChoice.AUTO;
        }
        ToolChoice choice;
        if (value.isTextual()) {
            choice = switch (value.asText()) {
                case "none" -> ToolChoice.NONE;
                case "auto" -> ToolChoice.AUTO;
                case "required" -> ToolChoice.REQUIRED;
                default -> throw new InvalidRequestException("tool_choice", "tool_choice must be \"none\", \"auto\","
                        + " \"required\" or {\"type\": \"function\", \"function\": {\"name\": …}}, got '"
                        + ClientText.excerpt(value.asText(), 40) + "'");
            };
        } else if (value.isObject() && "function".equals(value.path("type").asText(null))
                && value.path("function").path("name").isTextual()) {
            String name = value.get("function").get("name").asText();
            if (functions.stream().noneMatch(t -> t.name().equals(name))) {
                throw new InvalidRequestException("tool_choice.function.name", "tool_choice names the function '"
                        + ClientText.excerpt(name, 64) + "', which is not among the tools ("
                        + String.join(", ", functions.stream().map(Tool::name).toList()) + ")");
            }
            choice = ToolChoice.function(name);
        } else {
            throw new InvalidRequestException("tool_choice", "tool_choice must be \"none\", \"auto\", \"required\""
                    + " or {\"type\": \"function\", \"function\": {\"name\": …}}, got " + RequestParser.describe(value));
        }
        if (choice.mode() != ToolChoice.Mode.NONE && functions.isEmpty()) {
            throw new InvalidRequestException("tool_choice", "tool_choice \"" + value.asText(choice.mode().name()
                    .toLowerCase(java.util.Locale.ROOT)) + "\" needs tools");
        }
        return choice;
    }

    /**
     * The request, its fields read in the order a native request reads them.
     *
     * @param logprobs the count of alternatives per token, or null for no log-probabilities
     */
    private OpenAiRequest finish(OpenAiFields f, JsonNode body, Shared shared, List<OpenAiMessages.Turn> turns,
                                 String prompt, Integer maxTokens, Integer logprobs, Tools tools) {
        Boolean stream = f.bool("stream");
        JsonNode options = f.object("stream_options");
        boolean includeUsage = false;
        if (options != null) {
            OpenAiFields o = new OpenAiFields(options, "stream_options.");
            for (Iterator<String> it = options.fieldNames(); it.hasNext(); ) {
                String field = it.next();
                if (!Set.of("include_usage", "include_obfuscation").contains(field)) {
                    throw new InvalidRequestException("stream_options." + field, "unknown field 'stream_options."
                            + ClientText.excerpt(field, 40) + "'");
                }
            }
            includeUsage = Boolean.TRUE.equals(o.bool("include_usage"));
            o.bool("include_obfuscation"); // ignored: nothing here to obfuscate against
            if (!Boolean.TRUE.equals(stream)) {
                throw new InvalidRequestException("stream_options", "stream_options needs stream: true");
            }
        }
        String model = f.string("model");
        ConstraintFields.Found constraint = ConstraintFields.read(body);
        GenerationRequest parsed = new GenerationRequest(
                RequestParser.contexts(body),
                RequestParser.document(body),
                null,
                OpenAiMessages.read(turns),
                prompt,
                RequestParser.userTemplate(body),
                maxTokens == null ? GenerationRequest.DEFAULT_MAX_NEW_TOKENS : maxTokens,
                maxTokens == null,
                orElse(shared.temperature(), GenerationRequest.DEFAULT_TEMPERATURE),
                orElse(shared.topP(), GenerationRequest.DEFAULT_TOP_P),
                RequestParser.topK(body),
                shared.seed(),
                shared.stop(),
                RequestParser.nbce(body),
                false,
                new OutputOptions(orElse(shared.presencePenalty(), 0), orElse(shared.frequencyPenalty(), 0),
                        logprobs == null ? -1 : logprobs),
                RequestParser.windowTokens(body),
                ConstraintFields.logitBias(body),
                Tools.NONE,
                constraint == null ? null : constraint.field(),
                constraint == null ? null : constraint.spec());
        parsed = withTools(parsed, tools);
        if (model != null && !model.equals(servedModel)) {
            throw new NbceException(ErrorCode.MODEL_NOT_FOUND, "The model '" + ClientText.excerpt(model, 80)
                    + "' does not exist; this server serves '" + servedModel + "' (GET /v1/models)");
        }
        if (shared.choices() > 1 && Boolean.TRUE.equals(stream)) {
            throw new InvalidRequestException("n", "n > 1 is answered whole: send \"stream\": false (or n 1)");
        }
        return new OpenAiRequest(parsed, Boolean.TRUE.equals(stream), includeUsage, logprobs != null,
                tools.offered() ? toolFormat : null, shared.choices());
    }

    private static double orElse(Double value, double fallback) {
        return value == null ? fallback : value;
    }

    @SafeVarargs
    private static Set<String> union(Set<String>... sets) {
        java.util.HashSet<String> all = new java.util.HashSet<>();
        for (Set<String> s : sets) {
            all.addAll(s);
        }
        return Set.copyOf(all);
    }
}
