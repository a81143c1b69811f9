package dev.nbce.common.request;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * Reads request JSON strictly: unknown fields, wrong types, out-of-range numbers, invalid UTF-8 and
 * excessive nesting are rejected with a one-line message naming the field.
 */
public final class RequestParser {
    private static final Set<String> FIELDS = Set.of("contexts", "document", "question", "user_template",
            "max_new_tokens", "temperature", "top_p", "top_k", "seed", "stop", "nbce", "stream");
    private static final Set<String> NBCE_FIELDS = Set.of("beta", "eta", "pooling");

    private RequestParser() {}

    public static GenerationRequest parse(byte[] utf8Json) {
        return parse(readTree(utf8Json));
    }

    public static GenerationRequest parse(String json) {
        return parse(readTree(json));
    }

    /** Strictly decodes UTF-8 (no silent replacement characters), then parses. */
    public static JsonNode readTree(byte[] utf8Json) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(utf8Json)).toString();
        } catch (CharacterCodingException e) {
            throw new InvalidRequestException(null, "request is not valid UTF-8");
        }
        return readTree(text);
    }

    public static JsonNode readTree(String json) {
        if (json == null || json.isBlank()) {
            throw new InvalidRequestException(null, "request body is empty; expected a JSON object");
        }
        try {
            return Json.MAPPER.readTree(json);
        } catch (StreamConstraintsException e) {
            throw new InvalidRequestException(null, "request JSON exceeds limits (nesting deeper than "
                    + Json.MAX_NESTING + ", or a number or string too long)");
        } catch (JsonProcessingException e) {
            String detail = e.getOriginalMessage() == null ? "malformed JSON" : e.getOriginalMessage().lines().findFirst().orElse("");
            var location = e.getLocation();
            String where = location == null ? "" : " at line " + location.getLineNr() + ", column " + location.getColumnNr();
            throw new InvalidRequestException(null, "malformed JSON" + where + ": " + abbreviate(detail, 160));
        } catch (IOException e) {
            throw new InvalidRequestException(null, "unreadable request");
        }
    }

    public static GenerationRequest parse(JsonNode node) {
        if (node == null || !node.isObject()) {
            throw new InvalidRequestException(null, "request must be a JSON object");
        }
        rejectUnknown(node, FIELDS, "");
        JsonNode nbce = node.get("nbce");
        NbceParams params = NbceParams.DEFAULT;
        if (nbce != null && !nbce.isNull()) {
            if (!nbce.isObject()) {
                throw new InvalidRequestException("nbce", "nbce must be an object");
            }
            rejectUnknown(nbce, NBCE_FIELDS, "nbce.");
            params = new NbceParams(
                    number(nbce, "beta", "nbce.beta", NbceParams.DEFAULT.beta()),
                    number(nbce, "eta", "nbce.eta", NbceParams.DEFAULT.eta()),
                    nbce.hasNonNull("pooling") ? Pooling.fromWireName(string(nbce, "pooling", "nbce.pooling"))
                            : NbceParams.DEFAULT.pooling());
        }
        return new GenerationRequest(
                strings(node, "contexts"),
                node.hasNonNull("document") ? string(node, "document", "document") : null,
                node.hasNonNull("question") ? string(node, "question", "question") : null,
                node.hasNonNull("user_template") ? string(node, "user_template", "user_template") : null,
                integer(node, "max_new_tokens", 64),
                number(node, "temperature", "temperature", 0.0),
                number(node, "top_p", "top_p", 0.95),
                integer(node, "top_k", 0),
                node.hasNonNull("seed") ? seed(node.get("seed")) : null,
                strings(node, "stop"),
                params,
                bool(node, "stream"));
    }

    private static void rejectUnknown(JsonNode node, Set<String> known, String prefix) {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!known.contains(field)) {
                throw new InvalidRequestException(prefix + field, "unknown field \"" + prefix + abbreviate(field, 40)
                        + "\"; expected one of " + String.join(", ", known.stream().sorted().toList()));
            }
        }
    }

    private static String string(JsonNode node, String name, String path) {
        JsonNode value = node.get(name);
        if (!value.isTextual()) {
            throw new InvalidRequestException(path, path + " must be a string");
        }
        return value.asText();
    }

    private static List<String> strings(JsonNode node, String name) {
        JsonNode value = node.get(name);
        if (value == null || value.isNull()) {
            return List.of();
        }
        if (!value.isArray()) {
            throw new InvalidRequestException(name, name + " must be an array of strings");
        }
        List<String> out = new ArrayList<>(value.size());
        for (int i = 0; i < value.size(); i++) {
            if (!value.get(i).isTextual()) {
                throw new InvalidRequestException(name, name + "[" + i + "] must be a string");
            }
            out.add(value.get(i).asText());
        }
        return out;
    }

    private static int integer(JsonNode node, String name, int fallback) {
        JsonNode value = node.get(name);
        if (value == null || value.isNull()) {
            return fallback;
        }
        if (!value.isIntegralNumber() || !value.canConvertToInt()) {
            throw new InvalidRequestException(name, name + " must be an integer" + (value.isNumber() ? " within range" : ""));
        }
        return value.intValue();
    }

    private static double number(JsonNode node, String name, String path, double fallback) {
        JsonNode value = node.get(name);
        if (value == null || value.isNull()) {
            return fallback;
        }
        if (!value.isNumber()) {
            throw new InvalidRequestException(path, path + " must be a number");
        }
        return value.doubleValue();
    }

    private static boolean bool(JsonNode node, String name) {
        JsonNode value = node.get(name);
        if (value == null || value.isNull()) {
            return false;
        }
        if (!value.isBoolean()) {
            throw new InvalidRequestException(name, name + " must be true or false");
        }
        return value.booleanValue();
    }

    private static Long seed(JsonNode value) {
        if (!value.isIntegralNumber() || !value.canConvertToLong()) {
            throw new InvalidRequestException("seed", "seed must be an integer within the 64-bit range");
        }
        return value.longValue();
    }

    private static String abbreviate(String s, int max) {
        return s.length() > max ? s.substring(0, max) + "…" : s;
    }
}
