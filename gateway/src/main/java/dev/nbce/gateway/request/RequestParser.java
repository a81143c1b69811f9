package dev.nbce.gateway.request;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import dev.nbce.common.error.ClientText;
import dev.nbce.common.error.InvalidRequestException;
import dev.nbce.common.step.NbceParams;
import dev.nbce.common.step.Pooling;
import dev.nbce.common.step.Selection;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.function.BiFunction;

/**
 * Reads request JSON (docs/api.md: Request) strictly: invalid UTF-8, malformed JSON, nesting deeper than
 * {@link Json#MAX_NESTING}, unknown fields, wrong types, nulls and out-of-range numbers are all
 * rejected with an {@link InvalidRequestException} whose one-line message names the field.
 *
 * <p>Absent fields take their defaults. {@code null} is accepted only where it is a meaningful value:
 * {@code document} (no document) and {@code seed} (unseeded).
 */
public final class RequestParser {
    private static final Set<String> FIELDS = union(Set.of("contexts", "document", "question", "user_template",
            "max_new_tokens", "temperature", "top_p", "top_k", "seed", "stop", "nbce", "stream", "messages", "prompt",
            "presence_penalty", "frequency_penalty", "logprobs", "window_tokens", "logit_bias"), ConstraintFields.FIELDS);
    private static final Set<String> MESSAGE_FIELDS = Set.of("role", "content");
    private static final Set<String> NBCE_FIELDS = Set.of("beta", "eta", "pooling", "selection");
    private static final Set<String> SELECTION_FIELDS = Set.of("rule", "keep", "after_steps");
    /** Reads one value and leaves what follows to {@link #readTree(String)}, which says so in its own words. */
    private static final ObjectReader ONE_VALUE = Json.MAPPER.reader()
            .without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private RequestParser() {}

    public static GenerationRequest parse(byte[] utf8Json) {
        return parse(readTree(utf8Json));
    }

    public static GenerationRequest parse(String json) {
        return parse(readTree(json));
    }

    /** Strictly decodes UTF-8 (no silent replacement characters), then parses into a tree. */
    public static JsonNode readTree(byte[] utf8Json) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(utf8Json)).toString();
        } catch (CharacterCodingException e) {
            throw new InvalidRequestException(null, "request body is not valid UTF-8");
        }
        return readTree(text);
    }

    /** Parses JSON text into a tree with the limits of {@link Json#MAPPER}; a leading BOM is ignored. */
    public static JsonNode readTree(String json) {
        if (json != null && json.startsWith("\uFEFF")) {
            json = json.substring(1);
        }
        if (json == null || json.isBlank()) {
            throw new InvalidRequestException(null, "request body is empty; expected a JSON object");
        }
        try (JsonParser parser = ONE_VALUE.createParser(json)) {
            JsonNode tree = ONE_VALUE.readTree(parser);
            if (parser.nextToken() != null) {
                throw new InvalidRequestException(null, "malformed JSON" + at(parser.currentTokenLocation())
                        + ": a second JSON value follows the first; send exactly one JSON object");
            }
            return tree;
        } catch (StreamConstraintsException e) {
            String what = String.valueOf(e.getOriginalMessage()).toLowerCase().contains("nesting")
                    ? "nesting deeper than " + Json.MAX_NESTING
                    : "a number or string too long";
            throw new InvalidRequestException(null, "request JSON exceeds limits: " + what);
        } catch (JsonProcessingException e) {
            throw new InvalidRequestException(null, "malformed JSON" + at(e.getLocation()) + ": "
                    + plainReason(e.getOriginalMessage()));
        } catch (IOException e) {
            throw new InvalidRequestException(null, "unreadable request");
        }
    }

    /** Validates a parsed request (also one embedded in a larger message, e.g. a WebSocket frame). */
    public static GenerationRequest parse(JsonNode node) {
        if (node == null || !node.isObject()) {
            throw new InvalidRequestException(null, "request must be a JSON object, got " + describe(node));
        }
        rejectUnknown(node, FIELDS, "");
        ConstraintFields.Found constraint = ConstraintFields.read(node);
        return new GenerationRequest(
                contexts(node),
                document(node),
                string(node, "question", "question", null),
                messages(node.get("messages")),
                string(node, "prompt", "prompt", null),
                userTemplate(node),
                integer(node, "max_new_tokens", GenerationRequest.DEFAULT_MAX_NEW_TOKENS, 1,
                        GenerationRequest.MAX_NEW_TOKENS_LIMIT),
                false,
                number(node, "temperature", "temperature", GenerationRequest.DEFAULT_TEMPERATURE),
                number(node, "top_p", "top_p", GenerationRequest.DEFAULT_TOP_P),
                topK(node),
                seed(node),
                strings(node, "stop"),
                nbce(node),
                bool(node, "stream"),
                new OutputOptions(number(node, "presence_penalty", "presence_penalty", 0.0),
                        number(node, "frequency_penalty", "frequency_penalty", 0.0),
                        node.has("logprobs") ? integer(node, "logprobs", -1, 0, OutputOptions.MAX_TOP_LOGPROBS) : -1),
                windowTokens(node),
                ConstraintFields.logitBias(node),
                constraint == null ? null : constraint.field(),
                constraint == null ? null : constraint.spec());
    }

    // The NBCE fields, read alike in native requests and as extensions of OpenAI's (dev.nbce.gateway.http).

    /** {@code contexts}: an array of strings; absent = none. */
    public static List<String> contexts(JsonNode node) {
        return strings(node, "contexts");
    }

    /** {@code document}: a string; absent or null = none. */
    public static String document(JsonNode node) {
        return nullableString(node, "document");
    }

    /** {@code user_template}: a string; absent = {@link GenerationRequest#DEFAULT_USER_TEMPLATE}. */
    public static String userTemplate(JsonNode node) {
        return string(node, "user_template", "user_template", GenerationRequest.DEFAULT_USER_TEMPLATE);
    }

    /** {@code top_k}: an integer; absent = 0 (off). */
    public static int topK(JsonNode node) {
        return integer(node, "top_k", 0, 0, GenerationRequest.MAX_TOP_K);
    }

    /** {@code window_tokens}: an integer; absent = 0 (the server's default). */
    public static int windowTokens(JsonNode node) {
        return integer(node, "window_tokens", 0, 16, GenerationRequest.MAX_WINDOW_TOKENS);
    }

    /**
     * {@code [{"role": "system"|"user"|"assistant", "content": "…" | [{"type": "text", "text": "…"}, …]}, …]};
     * absent = no conversation (the question form).
     */
    public static List<RequestMessage> messages(JsonNode value) {
        if (value == null) {
            return List.of();
        }
        if (!value.isArray() || value.isEmpty()) {
            throw new InvalidRequestException("messages", "messages must be a non-empty array, got " + describe(value));
        }
        List<RequestMessage> out = new ArrayList<>(value.size());
        for (int i = 0; i < value.size(); i++) {
            String path = "messages[" + i + "]";
            JsonNode message = value.get(i);
            if (!message.isObject()) {
                throw new InvalidRequestException(path, path + " must be an object, got " + describe(message));
            }
            rejectUnknown(message, MESSAGE_FIELDS, path + ".");
            String name = string(message, "role", path + ".role", null);
            Role role = Role.byWireName(name).filter(r -> r != Role.TOOL).orElseThrow(() -> new InvalidRequestException(path + ".role", path
                    + ".role must be one of assistant, system, user, got "
                    + (name == null ? "nothing" : "'" + ClientText.excerpt(name, 40) + "'")));
            out.add(message(role, message.get("content"), path, RequestParser::textPart));
        }
        return out;
    }

    /**
     * A message of {@code role} whose content is a string or a list of parts, each read by {@code part}
     * (given the part and its path; {@link #textPart} for a native request).
     *
     * @param path the message's path, e.g. "messages[2]"
     */
    public static RequestMessage message(Role role, JsonNode content, String path,
                                         BiFunction<JsonNode, String, String> part) {
        if (content != null && content.isTextual()) {
            return RequestMessage.of(role, content.asText());
        }
        if (content == null || !content.isArray()) {
            throw new InvalidRequestException(path + ".content", path + ".content must be a string or a list of text"
                    + " parts, got " + describe(content));
        }
        String partsPath = path + ".content";
        if (content.isEmpty()) {
            throw new InvalidRequestException(partsPath, partsPath + " is an empty list of parts");
        }
        List<String> texts = new ArrayList<>(content.size());
        for (int i = 0; i < content.size(); i++) {
            texts.add(part.apply(content.get(i), partsPath + "[" + i + "]"));
        }
        return new RequestMessage(role, null, texts);
    }

    /** {@code {"type": "text", "text": "…"}}; other part types (images, audio, files) are refused by name. */
    public static String textPart(JsonNode part, String at) {
        if (!part.isObject() || !part.path("type").isTextual()) {
            throw new InvalidRequestException(at, at + " must be an object with a string \"type\", got " + describe(part));
        }
        String type = part.get("type").asText();
        if (!type.equals("text")) {
            throw new InvalidRequestException(at + ".type", at + " is a '" + ClientText.excerpt(type, 40)
                    + "' part; this server's models read text only, so only \"text\" parts are accepted");
        }
        rejectUnknown(part, Set.of("type", "text"), at + ".");
        return string(part, "text", at + ".text", null) == null ? missing(at + ".text") : part.get("text").asText();
    }

    private static String missing(String path) {
        throw new InvalidRequestException(path, path + " is required");
    }

    /** {@code nbce}: an object of β, η, the pooling and the selection; absent = {@link NbceParams#DEFAULT}. */
    public static NbceParams nbce(JsonNode node) {
        JsonNode nbce = node.get("nbce");
        if (nbce == null) {
            return NbceParams.DEFAULT;
        }
        if (!nbce.isObject()) {
            throw new InvalidRequestException("nbce", "nbce must be an object, got " + describe(nbce));
        }
        rejectUnknown(nbce, NBCE_FIELDS, "nbce.");
        String pooling = string(nbce, "pooling", "nbce.pooling", NbceParams.DEFAULT.pooling().wireName());
        return new NbceParams(
                number(nbce, "beta", "nbce.beta", NbceParams.DEFAULT.beta()),
                number(nbce, "eta", "nbce.eta", NbceParams.DEFAULT.eta()),
                Pooling.fromWireName(pooling),
                selection(nbce.get("selection")));
    }

    /** {@code nbce.selection}: {rule, keep, after_steps} (docs/nbce-modes.md); absent or null = every window decodes. */
    private static Selection selection(JsonNode selection) {
        if (selection == null || selection.isNull()) {
            return null;
        }
        if (!selection.isObject()) {
            throw new InvalidRequestException("nbce.selection", "nbce.selection must be an object, got " + describe(selection));
        }
        rejectUnknown(selection, SELECTION_FIELDS, "nbce.selection.");
        String name = string(selection, "rule", "nbce.selection.rule", null);
        if (name == null) {
            missing("nbce.selection.rule");
        }
        Selection.Rule rule = Selection.Rule.fromWireName(name);
        if (selection.get("keep") == null) {
            missing("nbce.selection.keep");
        }
        return new Selection(rule, integer(selection, "keep", "nbce.selection.keep", 0, 1, Selection.MAX),
                integer(selection, "after_steps", "nbce.selection.after_steps", Selection.defaultAfterSteps(rule), 0,
                        Selection.MAX));
    }

    private static void rejectUnknown(JsonNode node, Set<String> known, String prefix) {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!known.contains(field)) {
                throw new InvalidRequestException(prefix + field, "unknown field \"" + prefix + ClientText.excerpt(field, 40)
                        + "\"; expected one of " + String.join(", ", known.stream().sorted().toList()));
            }
        }
    }

    private static String string(JsonNode node, String name, String path, String fallback) {
        JsonNode value = node.get(name);
        if (value == null) {
            return fallback;
        }
        if (!value.isTextual()) {
            throw new InvalidRequestException(path, path + " must be a string, got " + describe(value));
        }
        return value.asText();
    }

    private static String nullableString(JsonNode node, String name) {
        JsonNode value = node.get(name);
        return value == null || value.isNull() ? null : string(node, name, name, null);
    }

    private static List<String> strings(JsonNode node, String name) {
        JsonNode value = node.get(name);
        if (value == null) {
            return List.of();
        }
        if (!value.isArray()) {
            throw new InvalidRequestException(name, name + " must be an array of strings, got " + describe(value));
        }
        List<String> out = new ArrayList<>(value.size());
        for (int i = 0; i < value.size(); i++) {
            if (!value.get(i).isTextual()) {
                throw new InvalidRequestException(name, name + "[" + i + "] must be a string, got " + describe(value.get(i)));
            }
            out.add(value.get(i).asText());
        }
        return out;
    }

    private static int integer(JsonNode node, String name, int fallback, int min, int max) {
        return integer(node, name, name, fallback, min, max);
    }

    private static int integer(JsonNode node, String name, String path, int fallback, int min, int max) {
        JsonNode value = node.get(name);
        if (value == null) {
            return fallback;
        }
        if (!value.isIntegralNumber()) {
            throw new InvalidRequestException(path, path + " must be an integer, got " + describe(value));
        }
        if (!value.canConvertToInt() || value.intValue() < min || value.intValue() > max) {
            throw new InvalidRequestException(path, path + " must be within " + min + ".." + max + ", got "
                    + ClientText.excerpt(value.asText(), 24));
        }
        return value.intValue();
    }

    private static double number(JsonNode node, String name, String path, double fallback) {
        JsonNode value = node.get(name);
        if (value == null) {
            return fallback;
        }
        if (!value.isNumber()) {
            throw new InvalidRequestException(path, path + " must be a number, got " + describe(value));
        }
        return value.doubleValue(); // ranges (and infinities from e.g. 1e400) are checked by the records
    }

    private static boolean bool(JsonNode node, String name) {
        JsonNode value = node.get(name);
        if (value == null) {
            return false;
        }
        if (!value.isBoolean()) {
            throw new InvalidRequestException(name, name + " must be true or false, got " + describe(value));
        }
        return value.booleanValue();
    }

    private static Long seed(JsonNode node) {
        JsonNode value = node.get("seed");
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isIntegralNumber()) {
            throw new InvalidRequestException("seed", "seed must be an integer, got " + describe(value));
        }
        if (!value.canConvertToLong()) {
            throw new InvalidRequestException("seed", "seed must fit in 64 bits, got " + ClientText.excerpt(value.asText(), 24));
        }
        return value.longValue();
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> all = new java.util.HashSet<>(a);
        all.addAll(b);
        return Set.copyOf(all);
    }

    /** The JSON type of a value, for messages ("got a string"). */
    public static String describe(JsonNode value) {
        if (value == null || value.isMissingNode()) {
            return "nothing";
        }
        if (value.isNull()) {
            return "null";
        }
        if (value.isTextual()) {
            return "a string";
        }
        if (value.isBoolean()) {
            return value.asText();
        }
        if (value.isIntegralNumber()) {
            return "an integer";
        }
        if (value.isNumber()) {
            return "a number with a fraction (" + ClientText.excerpt(value.asText(), 24) + ")";
        }
        return value.isArray() ? "an array" : "an object";
    }

    /** " at line L, column C" where the parser knows it, else nothing. */
    private static String at(JsonLocation location) {
        return location == null || location.getLineNr() < 0 ? ""
                : " at line " + location.getLineNr() + ", column " + location.getColumnNr();
    }

    /**
     * Jackson's first line without its internals: no source excerpt, no feature or class names
     * (e.g. "Duplicate field 'q' for `ObjectNode`: not allowed when `...` enabled" becomes
     * "Duplicate field 'q'").
     */
    private static String plainReason(String original) {
        if (original == null) {
            return "unreadable JSON";
        }
        String reason = original.lines().findFirst().orElse("");
        for (String noise : List.of(" (start marker at", " (for root starting at", " [Source", " for `", ": enable `")) {
            int at = reason.indexOf(noise);
            if (at >= 0) {
                reason = reason.substring(0, at);
            }
        }
        reason = reason.strip();
        // The parser's own words are kept only when they name no class, option or feature of it.
        return reason.isEmpty() || ClientText.namesCode(reason) ? "unexpected input" : ClientText.excerpt(reason, 160);
    }

}
