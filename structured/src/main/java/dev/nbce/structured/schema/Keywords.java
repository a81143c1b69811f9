package dev.nbce.structured.schema;

import java.util.Set;

/** The JSON Schema keywords by what the compiler does with them (docs/structured-output.md lists them). */
final class Keywords {
    private Keywords() {}

    /** Enforced exactly. */
    static final Set<String> ENFORCED = Set.of("type", "enum", "const", "properties", "required", "additionalProperties",
            "patternProperties", "propertyNames", "minProperties", "maxProperties", "items", "prefixItems", "additionalItems",
            "minItems", "maxItems", "minLength", "maxLength", "pattern", "format", "minimum", "maximum", "exclusiveMinimum",
            "exclusiveMaximum", "multipleOf", "anyOf", "oneOf", "allOf", "$ref", "nullable", "uniqueItems");

    /** Refused with a 400: enforcing them needs more than this engine does, and ignoring them would let invalid output through. */
    static final Set<String> REFUSED = Set.of("not", "if", "then", "else", "dependencies", "dependentRequired",
            "dependentSchemas", "contains", "minContains", "maxContains", "unevaluatedProperties", "unevaluatedItems",
            "$dynamicRef", "$recursiveRef");

    /** Containers of subschemas reached only through $ref. */
    static final Set<String> DEFINITIONS = Set.of("$defs", "definitions");

    /** Composition keywords, resolved before a schema is compiled. */
    static final Set<String> COMPOSITION = Set.of("allOf", "anyOf", "oneOf", "$ref");
}
