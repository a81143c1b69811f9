package dev.nbce.structured.schema;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nbce.structured.automaton.CompileException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/** The schema document that {@code $ref}s point into: local JSON pointers only ({@code #}, {@code #/$defs/x}, ...). */
final class SchemaDocument {
    private final JsonNode root;

    SchemaDocument(JsonNode root) {
        this.root = root;
    }

    JsonNode resolve(String ref, String path) {
        if (!ref.startsWith("#")) {
            throw new CompileException(path + "/$ref", "only local references (\"#/...\") are supported, got \"" + ref + "\"");
        }
        String pointer = URLDecoder.decode(ref.substring(1).replace("+", "%2B"), StandardCharsets.UTF_8);
        if (!pointer.isEmpty() && !pointer.startsWith("/")) {
            throw new CompileException(path + "/$ref", "anchor references (\"" + ref + "\") are not supported");
        }
        JsonNode at = root;
        if (!pointer.isEmpty()) {
            for (String part : pointer.substring(1).split("/", -1)) {
                String key = part.replace("~1", "/").replace("~0", "~");
                at = at.isArray() && key.matches("[0-9]+") ? at.get(Integer.parseInt(key)) : at.get(key);
                if (at == null) {
                    throw new CompileException(path + "/$ref", "reference \"" + ref + "\" points to nothing");
                }
            }
        }
        return at;
    }
}
