package dev.nbce.gateway.prompt;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.LegacyOverrides;
import com.hubspot.jinjava.el.JinjavaInterpreterResolver;
import com.hubspot.jinjava.interpret.Context;
import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import com.hubspot.jinjava.el.TruthyTypeConverter;
import java.util.Properties;
import jinjava.de.odysseus.el.ExpressionFactoryImpl;
import jinjava.de.odysseus.el.tree.TreeBuilder;
import jinjava.javax.el.CompositeELResolver;
import jinjava.javax.el.ExpressionFactory;

/**
 * A model's chat template, rendered the way transformers' {@code apply_chat_template} does: Jinja with
 * {@code trim_blocks} and {@code lstrip_blocks}, variables {@code messages}, {@code add_generation_prompt},
 * the special tokens ({@link TokenizerConfig#specialTokens()}),
 * {@code tools} (the request's tool definitions as dicts, or none), and the helpers of {@link HubTemplateExtensions}.
 * Whether a template renders tools at all is found once by rendering a probe tool ({@link #takesTools()}).
 *
 * <p>Jinjava is configured to behave like Python Jinja where they differ: message text is never
 * re-interpreted as template code, whitespace control ({@code {{-}, {@code {#-}) follows Jinja, a final
 * newline of the template source is dropped, {@code not x is defined} means {@code not (x is defined)},
 * Python {@code str} methods work ({@link PythonStringMethods}), {@code | trim} is {@code str.strip()},
 * and slices with steps, keyword arguments and {@code +} parse and behave as in Python ({@link PythonSyntax}).
 * The named special tokens of the config are variables; null ones are undefined. Message content given as
 * parts is a list the template may iterate but never use as text ({@link ContentParts}). Known gaps: {@code not a == b} must
 * be written {@code a != b}, and a dict literal ending in {@code }}} inside {@code {{ }}} does not parse.
 *
 * <p>A model directory without any chat template (a base model) gets the plain fallback: the
 * message contents joined by blank lines, after {@code bos_token} if the tokenizer has one, which is
 * what {@code tokenizer(text)} would feed such a model. It is logged and reported by {@link #isFallback()}.
 * A template that exists but cannot render a single user turn is an error at load time.
 *
 * <p>Thread-safe; a {@link Scope} is for one thread.
 */
public final class ChatTemplate {

    private static final System.Logger LOG = System.getLogger(ChatTemplate.class.getName());
    private static final Jinjava JINJA = createEngine();

    /** A function name no template writes unless it renders the tools it is given. */
    private static final String PROBE_TOOL = "nbce_probe_tool_7c1e";

    private final Optional<String> source;
    private final TokenizerConfig tokens;
    private volatile Boolean takesTools;

    private ChatTemplate(Optional<String> source, TokenizerConfig tokens) {
        this.source = source.map(ChatTemplate::withoutFinalNewline);
        this.tokens = tokens;
    }

    /** Jinja's default {@code keep_trailing_newline=False}: one newline at the end of the source is dropped. */
    private static String withoutFinalNewline(String template) {
        if (template.endsWith("\r\n")) {
            return template.substring(0, template.length() - 2);
        }
        if (template.endsWith("\n") || template.endsWith("\r")) {
            return template.substring(0, template.length() - 1);
        }
        return template;
    }

    /** The template of a model directory (see {@link TokenizerConfig} for where it is looked for). */
    public static ChatTemplate load(Path modelDir) throws IOException {
        return of(TokenizerConfig.read(modelDir), modelDir.toString());
    }

    /**
     * The template of a tokenizer config (the plain fallback if it has none); fails fast if the template
     * cannot render one user turn.
     *
     * @param origin where the config came from, for messages
     */
    public static ChatTemplate of(TokenizerConfig config, String origin) {
        ChatTemplate template = new ChatTemplate(config.chatTemplate(), config);
        if (template.isFallback()) {
            LOG.log(System.Logger.Level.WARNING,
                    "{0} has no chat template: rows are the plain user text (base-model prompt)", origin);
        } else {
            try {
                template.render(List.of(ChatMessage.user("ping")));
            } catch (ChatTemplateException e) {
                throw new ChatTemplateException(
                        "chat template of " + origin + " cannot render a single user message: " + e.getMessage(), e);
            }
        }
        return template;
    }

    /** The plain fallback (contents after {@code bos_token}, which may be null): raw prompts, no template. */
    public static ChatTemplate plain(String bosToken) {
        return new ChatTemplate(Optional.empty(), TokenizerConfig.of(null, bosToken, null));
    }

    /** A template from its source text; bos/eos may be null. */
    public static ChatTemplate of(String source, String bosToken, String eosToken) {
        return of(TokenizerConfig.of(source, bosToken, eosToken), "inline template");
    }

    /** The tokenizer's {@code bos_token}, or null. */
    public String bosToken() {
        return tokens.bosToken();
    }

    /** True when the model had no chat template and the plain fallback is used. */
    public boolean isFallback() {
        return source.isEmpty();
    }

    /** Renders with {@code add_generation_prompt = true}: the prompt of a row, ending where the answer starts. */
    public String render(List<ChatMessage> messages) {
        return render(messages, true);
    }

    public String render(List<ChatMessage> messages, boolean addGenerationPrompt) {
        return render(messages, null, addGenerationPrompt);
    }

    /**
     * Renders with the tools a request offers.
     *
     * @param tools the {@code tools} variable: OpenAI tool definitions as dicts ({@link TemplateValues}), or
     *              null for none
     */
    public String render(List<ChatMessage> messages, List<Object> tools, boolean addGenerationPrompt) {
        if (source.isEmpty()) {
            return PlainPrompt.render(messages, tokens.bosToken());
        }
        RenderResult result;
        try {
            result = JINJA.renderForResult(source.get(), variables(messages, tools, addGenerationPrompt));
        } catch (RuntimeException e) {
            ChatTemplateException own = ownFailure(e);
            throw own != null ? own : new ChatTemplateException("chat template failed: " + e.getMessage(), e);
        }
        for (TemplateError error : result.getErrors()) {
            if (error.getSeverity() == TemplateError.ErrorType.FATAL) {
                throw failure(error);
            }
        }
        return result.getOutput();
    }

    /** The template's source, or empty for the plain fallback. */
    public Optional<String> source() {
        return source;
    }

    /**
     * Whether the template renders the {@code tools} it is given (Qwen3's, Llama 3.1's do; plain Llama 3,
     * ChatML and Gemma 3 ignore them): a probe tool's name appears in a one-turn render. Found once.
     */
    public boolean takesTools() {
        Boolean known = takesTools;
        if (known == null) {
            boolean found;
            try {
                Map<String, Object> function = new java.util.LinkedHashMap<>();
                function.put("name", PROBE_TOOL);
                function.put("description", "probe");
                function.put("parameters", Map.of("type", "object", "properties", Map.of()));
                Map<String, Object> tool = new java.util.LinkedHashMap<>();
                tool.put("type", "function");
                tool.put("function", function);
                found = !isFallback() && render(List.of(ChatMessage.user("ping")), List.of(tool), true).contains(PROBE_TOOL);
            } catch (ChatTemplateException e) {
                found = false;
            }
            takesTools = known = found;
        }
        return known;
    }

    /** A scope for rendering many conversations from one thread, e.g. every row of one request. */
    public Scope scope() {
        return new Scope();
    }

    /**
     * Renders conversations as {@link ChatTemplate#render} does, faster: Jinjava's {@code renderForResult}
     * copies the engine's global context (every tag, filter and function library) for each render, most
     * of the time a row takes; a scope copies it once and renders each conversation in a fresh context
     * of its own under that copy, so nothing one render sets is seen by the next. Anything but a clean
     * render is redone by {@link ChatTemplate#render}, so failures are the same. One thread at a time.
     */
    public final class Scope {
        private Context global;

        private Scope() {}

        public String render(List<ChatMessage> messages) {
            return render(messages, true);
        }

        public String render(List<ChatMessage> messages, boolean addGenerationPrompt) {
            return render(messages, null, addGenerationPrompt);
        }

        /** With the tools a request offers, as {@link ChatTemplate#render(List, List, boolean)}. */
        public String render(List<ChatMessage> messages, List<Object> tools, boolean addGenerationPrompt) {
            if (source.isEmpty() || JinjavaInterpreter.getCurrent() != null) {
                return ChatTemplate.this.render(messages, tools, addGenerationPrompt);
            }
            if (global == null) {
                global = JINJA.getGlobalContextCopy();
            }
            JinjavaConfig config = JINJA.getGlobalConfig();
            // What renderForResult does, less the copy (keep_trailing_newline is on: its output is not trimmed).
            Context context = new Context(global, variables(messages, tools, addGenerationPrompt), config.getDisabled());
            JinjavaInterpreter interpreter = config.getInterpreterFactory().newInstance(JINJA, context, config);
            JinjavaInterpreter.pushCurrent(interpreter);
            try {
                String output = interpreter.render(source.get());
                boolean fatal = interpreter.getErrorsCopy().stream()
                        .anyMatch(e -> e.getSeverity() == TemplateError.ErrorType.FATAL);
                if (!fatal) {
                    return output;
                }
            } catch (RuntimeException e) {
                // redone below, for the same error as a single render
            } finally {
                JinjavaInterpreter.popCurrent();
            }
            global = null; // a failed render may have left state behind
            return ChatTemplate.this.render(messages, tools, addGenerationPrompt);
        }
    }

    private Map<String, Object> variables(List<ChatMessage> messages, List<Object> tools, boolean addGenerationPrompt) {
        Map<String, Object> variables = new HashMap<>();
        List<Map<String, Object>> turns = new ArrayList<>(messages.size());
        for (ChatMessage message : messages) {
            turns.add(message.asTemplateValue());
        }
        variables.put("messages", turns);
        variables.put("add_generation_prompt", addGenerationPrompt);
        variables.putAll(tokens.specialTokens()); // a token the config leaves null stays undefined
        variables.put("tools", tools == null || tools.isEmpty() ? null : tools);
        variables.put("documents", null);
        variables.put(HubTemplateExtensions.STRFTIME_MARKER, HubTemplateExtensions.STRFTIME_MARKER);
        return variables;
    }

    /** A refusal of ours (raise_exception, content parts used as text) inside Jinjava's wrapping, or null. */
    private static ChatTemplateException ownFailure(Throwable error) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause instanceof TemplateRefusal refusal) {
                return refusal.refusal();
            }
        }
        return null;
    }

    private static ChatTemplateException failure(TemplateError error) {
        ChatTemplateException own = ownFailure(error.getException());
        if (own != null) {
            return own;
        }
        String where = error.getLineno() > 0 ? " (template line " + error.getLineno() + ")" : "";
        return new ChatTemplateException("chat template failed: " + error.getMessage() + where, error.getException());
    }

    /** Jinjava whose expressions are parsed by {@link PythonSyntax}. */
    private static final class PythonJinjava extends Jinjava {
        private final ExpressionFactory expressions;

        PythonJinjava(JinjavaConfig config) {
            super(config);
            Properties properties = new Properties();
            properties.setProperty(TreeBuilder.class.getName(), PythonSyntax.class.getName());
            expressions = new ExpressionFactoryImpl(properties, new TruthyTypeConverter());
        }

        @Override
        public ExpressionFactory getExpressionFactory() {
            return expressions;
        }
    }

    private static Jinjava createEngine() {
        CompositeELResolver resolver = new CompositeELResolver();
        resolver.add(new PythonStringMethods());
        resolver.add(JinjavaInterpreterResolver.DEFAULT_RESOLVER_READ_WRITE);
        JinjavaConfig config = JinjavaConfig.newBuilder()
                .withTrimBlocks(true)
                .withLstripBlocks(true)
                // Jinjava's "false" would strip the *output's* last newline; Jinja strips the source's (see render).
                .withKeepTrailingNewline(true)
                .withNestedInterpretationEnabled(false)
                .withLegacyOverrides(LegacyOverrides.newBuilder()
                        .withUseTrimmingForNotesAndExpressions(true) // {{- x }} and {#- #} trim like Jinja
                        .withParseWhitespaceControlStrictly(true)
                        .withIterateOverMapKeys(true) // for k in dict: keys, as in Python
                        .withEvaluateMapKeys(true)
                        .withUsePyishObjectMapper(true)
                        .withKeepNullableLoopValues(true)
                        .withHandleBackslashInQuotesOnly(true)
                        // Natural precedence would read "not x is defined" as "(not x) is defined".
                        .withUseNaturalOperatorPrecedence(false)
                        .build())
                .withElResolver(resolver)
                .build();
        Jinjava jinjava = new PythonJinjava(config);
        HubTemplateExtensions.install(jinjava);
        return jinjava;
    }
}
