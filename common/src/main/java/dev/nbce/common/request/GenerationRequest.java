package dev.nbce.common.request;

import java.util.List;

/**
 * One NBCE request (DESIGN.md §4), validated on construction.
 *
 * @param contexts      context windows (may be empty: plain generation); exclusive with {@code document}
 * @param document      one long text to be windowed, or null
 * @param question      the question; non-blank
 * @param maxNewTokens  answer budget, 1..{@value #MAX_NEW_TOKENS_LIMIT}
 * @param userTemplate  the user turn of a context row; must contain {question} and {context}
 * @param temperature   0 = greedy
 * @param topP          nucleus of every row, in (0, 1]; 1 disables it
 * @param topK          0 = off; applies to sampling only
 * @param seed          makes sampling reproducible; null = random
 * @param stop          strings that end the answer (not included in it); at most {@value #MAX_STOP_STRINGS},
 *                      each 1..{@value #MAX_STOP_LENGTH} characters
 * @param nbce          the combination parameters; null = {@link NbceParams#DEFAULT}
 * @param stream        HTTP only: stream Server-Sent Events
 */
public record GenerationRequest(List<String> contexts, String document, String question, String userTemplate,
                                int maxNewTokens, double temperature, double topP, int topK, Long seed,
                                List<String> stop, NbceParams nbce, boolean stream) {
    public static final String DEFAULT_USER_TEMPLATE = "{question}\n\n{context}";
    public static final int MAX_NEW_TOKENS_LIMIT = 4096;
    public static final int MAX_TOP_K = 1_000_000;
    public static final int MAX_STOP_STRINGS = 16;
    public static final int MAX_STOP_LENGTH = 256;

    public GenerationRequest {
        contexts = copyWithoutNulls(contexts, "contexts");
        stop = copyWithoutNulls(stop, "stop");
        userTemplate = userTemplate == null ? DEFAULT_USER_TEMPLATE : userTemplate;
        nbce = nbce == null ? NbceParams.DEFAULT : nbce;
        if (question == null || question.isBlank()) {
            throw new InvalidRequestException("question", "question must be a non-empty string");
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
        if (!Double.isFinite(topP) || topP <= 0 || topP > 1) {
            throw new InvalidRequestException("top_p", "top_p must be within (0, 1], got " + topP);
        }
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
