package dev.nbce.gateway.request;

import dev.nbce.common.error.InvalidRequestException;
import dev.nbce.common.step.NbceParams;
import dev.nbce.common.step.StepParams;
import dev.nbce.structured.ConstraintSpec;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One NBCE request (docs/api.md: Request), validated on construction.
 *
 * @param contexts      context windows (may be empty: plain generation); exclusive with {@code document}
 * @param document      one long text to be windowed, or null
 * @param question      the question; non-blank. Exactly one of {@code question}, {@code messages} and
 *                      {@code prompt} is given
 * @param messages      a conversation ending with the new user turn (system message and earlier turns kept);
 *                      empty when {@code question} or {@code prompt} is given
 * @param prompt        raw text, no chat template (OpenAI's completions); null otherwise
 * @param maxNewTokens  answer budget, 1..{@value #MAX_NEW_TOKENS_LIMIT}; with {@code fillWindow} the room
 *                      reserved when windows are cut
 * @param fillWindow    no budget was given: the answer may run until the longest row is full (capped by the
 *                      server's max_new_tokens limit), as OpenAI servers treat an absent max_tokens
 * @param userTemplate  the user turn of a context row; must contain {question} and {context}
 * @param temperature   0 = greedy
 * @param topP          nucleus of every row, in (0, 1]; 1 disables it (checked by {@link StepParams})
 * @param topK          0 = off; applies to sampling only
 * @param seed          makes sampling reproducible; null = random
 * @param stop          strings that end the answer (not included in it); at most {@value #MAX_STOP_STRINGS},
 *                      each 1..{@value #MAX_STOP_LENGTH} characters
 * @param nbce          the combination parameters; null = {@link NbceParams#DEFAULT}
 * @param stream        HTTP only: stream Server-Sent Events
 * @param output        penalties and log-probabilities; null = {@link OutputOptions#NONE}
 * @param windowTokens  how long a context row may be (prompt + answer budget), which decides how documents
 *                      are split; 0 = the server's default ({@code NBCE_WINDOW_TOKENS}); never more than the
 *                      model's max_position_embeddings
 * @param tools         the functions offered and the tool choice (OpenAI chat); null = {@link Tools#NONE}
 * @param logitBias     added to the raw logits of every row before its log-softmax and top-p (OpenAI's
 *                      logit_bias): token id to bias in -100..100; at most {@value #MAX_LOGIT_BIAS} entries; empty
 *                      = none. Ids are checked against the model's vocabulary when the request is prepared
 * @param constraintField the request field the constraint came from (e.g. "response_format"), named in its
 *                      errors; null when there is no constraint
 * @param constraint    what the answer must match (docs/structured-output.md), enforced in every row before its
 *                      top-p (a forced tool choice sets it); null = free text
 */
public record GenerationRequest(List<String> contexts, String document, String question, List<RequestMessage> messages,
                                String prompt, String userTemplate, int maxNewTokens, boolean fillWindow,
                                double temperature, double topP, int topK, Long seed, List<String> stop, NbceParams nbce,
                                boolean stream, OutputOptions output, int windowTokens,
                                Map<Integer, Double> logitBias, Tools tools, String constraintField, ConstraintSpec constraint) {
    public static final String DEFAULT_USER_TEMPLATE = "{question}\n\n{context}";
    /** The answer budget of a native request that gives none. */
    public static final int DEFAULT_MAX_NEW_TOKENS = 64;
    public static final double DEFAULT_TEMPERATURE = 0.0;
    public static final double DEFAULT_TOP_P = 0.95;
    public static final int MAX_NEW_TOKENS_LIMIT = 4096;
    public static final int MAX_TOP_K = 1_000_000;
    public static final int MAX_STOP_STRINGS = 16;
    public static final int MAX_STOP_LENGTH = 256;
    /** The longest window a request may ask for; the model's max_position_embeddings is checked later. */
    public static final int MAX_WINDOW_TOKENS = 1 << 20;
    public static final int MAX_LOGIT_BIAS = 1024;
    /** The largest bias OpenAI allows either way: -100 bans a token, 100 all but forces it. */
    public static final double MAX_BIAS = 100;

    public GenerationRequest {
        if (windowTokens < 0 || windowTokens > MAX_WINDOW_TOKENS) {
            throw new InvalidRequestException("window_tokens", "window_tokens must be within 16.." + MAX_WINDOW_TOKENS
                    + " (or absent), got " + windowTokens);
        }
        contexts = copyWithoutNulls(contexts, "contexts");
        stop = copyWithoutNulls(stop, "stop");
        userTemplate = userTemplate == null ? DEFAULT_USER_TEMPLATE : userTemplate;
        nbce = nbce == null ? NbceParams.DEFAULT : nbce;
        output = output == null ? OutputOptions.NONE : output;
        messages = messages == null ? List.of() : List.copyOf(messages);
        tools = tools == null ? Tools.NONE : tools;
        if (constraint != null && constraintField == null) {
            constraintField = "constraint";
        }
        int forms = (question != null ? 1 : 0) + (!messages.isEmpty() ? 1 : 0) + (prompt != null ? 1 : 0);
        if (forms != 1) {
            throw new InvalidRequestException("question", forms == 0
                    ? "question must be a non-empty string (or give \"messages\")"
                    : "give one of \"question\", \"messages\" and \"prompt\", not several");
        }
        if (question != null && question.isBlank()) {
            throw new InvalidRequestException("question", "question must be a non-empty string");
        }
        if (prompt != null && prompt.isBlank()) {
            throw new InvalidRequestException("prompt", "prompt must be a non-empty string");
        }
        checkConversation(messages);
        logitBias = checkBias(logitBias);
        if (constraint != null && constraintField == null) {
            constraintField = "constraint";
        }
        if (document != null && !contexts.isEmpty()) {
            throw new InvalidRequestException("document", "give either \"contexts\" or \"document\", not both");
        }
        if (document != null && document.isBlank()) {
            throw new InvalidRequestException("document", "document must not be empty");
        }
        for (int i = 0; i < contexts.size(); i++) {
            if (contexts.get(i).isBlank()) {
                throw new InvalidRequestException("contexts", "contexts[" + i + "] is empty");
            }
        }
        if (!userTemplate.contains("{question}") || !userTemplate.contains("{context}")) {
            throw new InvalidRequestException("user_template", "user_template must contain {question} and {context}");
        }
        if (maxNewTokens < 1 || maxNewTokens > MAX_NEW_TOKENS_LIMIT) {
            throw new InvalidRequestException("max_new_tokens", "max_new_tokens must be within 1.." + MAX_NEW_TOKENS_LIMIT
                    + ", got " + maxNewTokens);
        }
        if (!Double.isFinite(temperature) || temperature < 0 || temperature > 100) {
            throw new InvalidRequestException("temperature", "temperature must be within 0..100 (0 = greedy), got " + temperature);
        }
        new StepParams(topP, nbce); // top_p (and nbce, defaulted above) are checked where they belong
        if (topK < 0 || topK > MAX_TOP_K) {
            throw new InvalidRequestException("top_k", "top_k must be within 0.." + MAX_TOP_K + " (0 = off), got " + topK);
        }
        if (stop.size() > MAX_STOP_STRINGS) {
            throw new InvalidRequestException("stop", "at most " + MAX_STOP_STRINGS + " stop strings");
        }
        for (String s : stop) {
            if (s.isEmpty() || s.length() > MAX_STOP_LENGTH) {
                throw new InvalidRequestException("stop", "each stop string must have 1.." + MAX_STOP_LENGTH + " characters");
            }
        }
    }

    /** The same request sampled with {@code newSeed}. */
    public GenerationRequest withSeed(Long newSeed) {
        return new GenerationRequest(contexts, document, question, messages, prompt, userTemplate, maxNewTokens, fillWindow,
                temperature, topP, topK, newSeed, stop, nbce, stream, output, windowTokens, logitBias, tools, constraintField,
                constraint);
    }

    /** The same request offering {@code tools} to the model. */
    public GenerationRequest withTools(Tools tools) {
        return new GenerationRequest(contexts, document, question, messages, prompt, userTemplate, maxNewTokens, fillWindow,
                temperature, topP, topK, seed, stop, nbce, stream, output, windowTokens, logitBias, tools, constraintField,
                constraint);
    }

    /** Compatibility: a single question, a fixed answer budget, no penalties or log-probabilities. */
    public GenerationRequest(List<String> contexts, String document, String question, String userTemplate,
                             int maxNewTokens, double temperature, double topP, int topK, Long seed,
                             List<String> stop, NbceParams nbce, boolean stream) {
        this(contexts, document, question, List.of(), null, userTemplate, maxNewTokens, false, temperature, topP, topK,
                seed, stop, nbce, stream, OutputOptions.NONE, 0, Map.of(), Tools.NONE, null, null);
    }

    /** Without tools (the native API, which does not offer them). */
    public GenerationRequest(List<String> contexts, String document, String question, List<RequestMessage> messages,
                             String prompt, String userTemplate, int maxNewTokens, boolean fillWindow, double temperature,
                             double topP, int topK, Long seed, List<String> stop, NbceParams nbce, boolean stream,
                             OutputOptions output, int windowTokens, Map<Integer, Double> logitBias, String constraintField,
                             ConstraintSpec constraint) {
        this(contexts, document, question, messages, prompt, userTemplate, maxNewTokens, fillWindow, temperature, topP,
                topK, seed, stop, nbce, stream, output, windowTokens, logitBias, Tools.NONE, constraintField, constraint);
    }

    /** Without a logit bias, tools or a constraint. */
    public GenerationRequest(List<String> contexts, String document, String question, List<RequestMessage> messages,
                             String prompt, String userTemplate, int maxNewTokens, boolean fillWindow, double temperature,
                             double topP, int topK, Long seed, List<String> stop, NbceParams nbce, boolean stream,
                             OutputOptions output, int windowTokens) {
        this(contexts, document, question, messages, prompt, userTemplate, maxNewTokens, fillWindow, temperature, topP,
                topK, seed, stop, nbce, stream, output, windowTokens, Map.of(), Tools.NONE, null, null);
    }

    private static Map<Integer, Double> checkBias(Map<Integer, Double> bias) {
        if (bias == null || bias.isEmpty()) {
            return Map.of();
        }
        if (bias.size() > MAX_LOGIT_BIAS) {
            throw new InvalidRequestException("logit_bias", "logit_bias may hold at most " + MAX_LOGIT_BIAS
                    + " tokens, got " + bias.size());
        }
        for (Map.Entry<Integer, Double> e : bias.entrySet()) {
            if (e.getKey() == null || e.getKey() < 0) {
                throw new InvalidRequestException("logit_bias", "logit_bias keys must be token ids (>= 0), got " + e.getKey());
            }
            Double v = e.getValue();
            if (v == null || !Double.isFinite(v) || v < -MAX_BIAS || v > MAX_BIAS) {
                throw new InvalidRequestException("logit_bias", "logit_bias[" + e.getKey() + "] must be within -100..100, got " + v);
            }
        }
        return Collections.unmodifiableMap(new TreeMap<>(bias));
    }

    /** The same request answering under {@code spec}, which came from request field {@code field}. */
    public GenerationRequest withConstraint(String field, ConstraintSpec spec) {
        return new GenerationRequest(contexts, document, question, messages, prompt, userTemplate, maxNewTokens, fillWindow,
                temperature, topP, topK, seed, stop, nbce, stream, output, windowTokens, logitBias, tools, field, spec);
    }

    private static void checkConversation(List<RequestMessage> messages) {
        if (messages.isEmpty()) {
            return;
        }
        RequestMessage last = messages.get(messages.size() - 1);
        if (last.role() == Role.TOOL) {
            // a function's result, which the model answers; the windows still go into a user turn
            if (messages.stream().noneMatch(m -> m.role() == Role.USER)) {
                throw new InvalidRequestException("messages", "a conversation needs a user message");
            }
            return;
        }
        if (last.role() != Role.USER) {
            throw new InvalidRequestException("messages", "the last message must be the user's (the question) or a"
                    + " tool's result, got '" + last.role().wireName() + "'");
        }
        if (last.text().isBlank()) {
            throw new InvalidRequestException("messages", "the last user message (the question) is empty");
        }
    }

    /** The conversation every row renders: the messages, or the question (or prompt) as one user turn. */
    public List<RequestMessage> conversation() {
        if (!messages.isEmpty()) {
            return messages;
        }
        return List.of(RequestMessage.of(Role.USER, question != null ? question : prompt));
    }

    /**
     * The same request asked as the next turn of a conversation: {@code earlier} (user, assistant, ...)
     * then this request's question as the new user turn, over the same contexts.
     */
    public GenerationRequest asTurnAfter(List<RequestMessage> earlier) {
        List<RequestMessage> conversation = new java.util.ArrayList<>(earlier);
        conversation.add(RequestMessage.of(Role.USER, question));
        return new GenerationRequest(contexts, document, null, conversation, null, userTemplate, maxNewTokens, fillWindow,
                temperature, topP, topK, seed, stop, nbce, stream, output, windowTokens, logitBias, tools, constraintField, constraint);
    }

    /** The same request with another answer budget (an absent budget resolved once the rows are known). */
    public GenerationRequest withMaxNewTokens(int tokens, boolean fill) {
        return new GenerationRequest(contexts, document, question, messages, prompt, userTemplate, tokens, fill,
                temperature, topP, topK, seed, stop, nbce, stream, output, windowTokens, logitBias, tools, constraintField, constraint);
    }

    private static List<String> copyWithoutNulls(List<String> list, String field) {
        if (list == null) {
            return List.of();
        }
        for (int i = 0; i < list.size(); i++) {
            if (list.get(i) == null) {
                throw new InvalidRequestException(field, field + "[" + i + "] must be a string, got null");
            }
        }
        return List.copyOf(list);
    }

    /** The parameters every step of this request is computed with, on the workers and the gateway. */
    public StepParams stepParams() {
        return new StepParams(topP, nbce);
    }

    /** Greedy request over the given contexts with default parameters. */
    public static GenerationRequest of(List<String> contexts, String question, int maxNewTokens) {
        return new GenerationRequest(contexts, null, question, DEFAULT_USER_TEMPLATE, maxNewTokens, 0.0, 0.95, 0, null,
                List.of(), NbceParams.DEFAULT, false);
    }
}
