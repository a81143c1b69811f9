package dev.nbce.launcher.config;

import dev.nbce.gateway.http.EdgeLimits;
import dev.nbce.gateway.http.HttpSettings;
import dev.nbce.gateway.service.GatewayLimits;
import dev.nbce.gateway.speculation.Speculation;
import java.util.HashSet;

/** The gateway's typed settings from the catalog (kept apart from the worker's: each image has its role's classes only). */
public final class GatewayOptions {
    private GatewayOptions() {}

    public static GatewayLimits limits(Settings s) {
        return new GatewayLimits(s.integer(Setting.MAX_WINDOWS), s.integer(Setting.MAX_CONTEXT_TOKENS),
                s.integer(Setting.MAX_NEW_TOKENS), s.integer(Setting.MAX_REQUEST_BYTES),
                s.integer(Setting.MAX_REQUESTS_PER_SOCKET), s.integer(Setting.MAX_ACTIVE), s.integer(Setting.MAX_QUEUED),
                s.integer(Setting.MAX_BUFFERED_BYTES), s.integer(Setting.CAPACITY_WAIT_MS), speculation(s));
    }

    /** NBCE_DRAFT_TOKENS and NBCE_DRAFT_FORWARD_TOKENS. */
    public static Speculation speculation(Settings s) {
        return new Speculation(s.integer(Setting.DRAFT_TOKENS), s.integer(Setting.DRAFT_FORWARD_TOKENS));
    }

    public static HttpSettings http(Settings s) {
        EdgeLimits edge = new EdgeLimits(s.integer(Setting.MAX_SOCKETS), s.integer(Setting.MAX_SOCKETS_PER_ADDRESS),
                s.integer(Setting.MAX_AUTH_FAILURES_PER_MINUTE), s.integer(Setting.PREAUTH_MAX_BYTES),
                s.integer(Setting.WS_AUTH_TIMEOUT_MS));
        return new HttpSettings(new HashSet<>(s.list(Setting.API_KEYS)), new HashSet<>(s.list(Setting.ALLOWED_ORIGINS)), edge,
                s.integer(Setting.IDLE_TIMEOUT_S), s.longInteger(Setting.HEADER_TIMEOUT_MS));
    }

    /** NBCE_TOOL_CALL_PARSER: auto, hermes, llama3_json or none (checked when the model is loaded). */
    public static String toolCallParser(Settings s) {
        return s.text(Setting.TOOL_CALL_PARSER);
    }

    /** The window when a request names none; 0: the model's trained length capped at 4096. */
    public static int windowTokens(Settings s) {
        return s.isSet(Setting.WINDOW_TOKENS) ? s.integer(Setting.WINDOW_TOKENS) : 0;
    }
}
