package dev.nbce.structured.schema;

import java.util.Map;

/**
 * The {@code format} values enforced, as anchored patterns over the string's characters. Others are
 * annotations (JSON Schema's default) and are not enforced.
 */
final class StringFormats {
    private static final String DATE = "[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])";
    private static final String TIME = "([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\\.[0-9]+)?([Zz]|[+-]([01][0-9]|2[0-3]):[0-5][0-9])";
    private static final String OCTET = "(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])";

    static final Map<String, String> PATTERNS = Map.of(
            "date", "^" + DATE + "$",
            "time", "^" + TIME + "$",
            "date-time", "^" + DATE + "[Tt]" + TIME + "$",
            "uuid", "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$",
            "ipv4", "^" + OCTET + "(\\." + OCTET + "){3}$",
            "email", "^[^\\s@\"<>()\\[\\]\\\\,;:]+@[^\\s@\"<>()\\[\\]\\\\,;:]+$");

    private StringFormats() {}
}
