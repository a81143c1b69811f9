package dev.nbce.structured.schema;

import java.util.Map;

/**
 * The {@code format} values enforced, as anchored patterns over the string's characters. Others are
 * annotations (JSON Schema's default) and are not enforced.
 */
final class StringFormats {
    /** A calendar date: 30-day months, February's 28 days and the 29th of leap years (Gregorian). */
    private static final String DATE = "([0-9]{4}-((0[13578]|1[02])-(0[1-9]|[12][0-9]|3[01])|(0[469]|11)-(0[1-9]|[12][0-9]|30)"
            + "|02-(0[1-9]|1[0-9]|2[0-8]))"
            + "|([0-9]{2}(0[48]|[2468][048]|[13579][26])|(0[48]|[2468][048]|[13579][26])00)-02-29)";
    private static final String TIME = "([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\\.[0-9]+)?([Zz]|[+-]([01][0-9]|2[0-3]):[0-5][0-9])";
    private static final String OCTET = "(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])";
    /** RFC 3986's characters outside a percent escape. */
    private static final String URI_CHAR = "([A-Za-z0-9\\-._~:/?#\\[\\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})";
    private static final String LABEL = "[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?";

    static final Map<String, String> PATTERNS = Map.of(
            "date", "^" + DATE + "$",
            "time", "^" + TIME + "$",
            "date-time", "^" + DATE + "[Tt]" + TIME + "$",
            "uuid", "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$",
            "ipv4", "^" + OCTET + "(\\." + OCTET + "){3}$",
            "email", "^[^\\s@\"<>()\\[\\]\\\\,;:]+@" + LABEL + "(\\." + LABEL + ")*$",
            "hostname", "^" + LABEL + "(\\." + LABEL + ")*$",
            "uri", "^[A-Za-z][A-Za-z0-9+.\\-]*:" + URI_CHAR + "*$",
            "uri-reference", "^" + URI_CHAR + "*$");

    private StringFormats() {}
}
