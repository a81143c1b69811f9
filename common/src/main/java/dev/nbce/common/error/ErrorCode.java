package dev.nbce.common.error;

/**
 * Every reason a request or a worker command can fail, as clients and workers see it: the wire
 * name (JSON {@code code}, event-bus failures), the HTTP status of a response, the close code of a
 * WebSocket that has to be closed for it, and whether the rows concerned may succeed on another
 * worker (the gateway then places them again instead of failing the request).
 */
public enum ErrorCode {
    // The client's mistakes: no point in retrying as sent.
    BAD_REQUEST("bad_request", 400, Close.POLICY, false),
    INVALID_JSON("invalid_json", 400, Close.POLICY, false),
    UNKNOWN_TYPE("unknown_type", 400, Close.POLICY, false),
    UNKNOWN_ID("unknown_id", 400, Close.POLICY, false),
    DUPLICATE_ID("duplicate_id", 400, Close.POLICY, false),
    UNAUTHORIZED("unauthorized", 401, Close.POLICY, false),
    // A browser page of a foreign Origin (NBCE_ALLOWED_ORIGINS).
    FORBIDDEN("forbidden", 403, Close.POLICY, false),
    NOT_FOUND("not_found", 404, Close.POLICY, false),
    /** An OpenAI-style request named a model this server does not serve. */
    MODEL_NOT_FOUND("model_not_found", 404, Close.POLICY, false),
    TOO_LARGE("too_large", 413, Close.TOO_BIG, false),
    // HTTP framing the server refuses before any handler runs (RFC 9112).
    METHOD_NOT_ALLOWED("method_not_allowed", 405, Close.POLICY, false),
    URI_TOO_LONG("uri_too_long", 414, Close.POLICY, false),
    EXPECTATION_FAILED("expectation_failed", 417, Close.POLICY, false),
    UPGRADE_REQUIRED("upgrade_required", 426, Close.POLICY, false),
    HEADERS_TOO_LARGE("headers_too_large", 431, Close.POLICY, false),
    /** A client that leaves more unread than the gateway buffers for it. */
    SLOW_CLIENT("slow_client", 429, Close.POLICY, false),

    // The gateway is busy: the client may come back later (429 carries Retry-After).
    OVERLOADED("overloaded", 429, Close.TRY_AGAIN_LATER, false),
    TOO_MANY_REQUESTS("too_many_requests", 429, Close.TRY_AGAIN_LATER, false),

    // The cluster cannot serve the request.
    NO_CAPACITY("no_capacity", 503, Close.TRY_AGAIN_LATER, false),
    NO_WORKERS("no_workers", 503, Close.TRY_AGAIN_LATER, false),
    WORKER_FAILED("worker_failed", 503, Close.TRY_AGAIN_LATER, false),
    WORKER_LOST("worker_lost", 503, Close.TRY_AGAIN_LATER, true),
    WORKER_TIMEOUT("worker_timeout", 503, Close.TRY_AGAIN_LATER, true),

    // A worker's refusals that another worker may not give.
    CAPACITY("capacity", 500, Close.INTERNAL, true),
    /** A draining worker or gateway: the same request succeeds elsewhere (503 with Retry-After to clients). */
    SHUTTING_DOWN("shutting_down", 503, Close.TRY_AGAIN_LATER, true),
    /** A worker already holds this request id for another gateway: never merged, never retried. */
    DUPLICATE_REQUEST("duplicate_request", 500, Close.INTERNAL, false),
    UNKNOWN_REQUEST("unknown_request", 500, Close.INTERNAL, true),
    INTERNAL("internal", 500, Close.INTERNAL, true);

    /** RFC 6455 close codes. */
    private static final class Close {
        static final short POLICY = 1008;
        static final short TOO_BIG = 1009;
        static final short INTERNAL = 1011;
        static final short TRY_AGAIN_LATER = 1013;
    }

    private final String wireName;
    private final int httpStatus;
    private final short webSocketCloseCode;
    private final boolean retryable;

    ErrorCode(String wireName, int httpStatus, short webSocketCloseCode, boolean retryable) {
        this.wireName = wireName;
        this.httpStatus = httpStatus;
        this.webSocketCloseCode = webSocketCloseCode;
        this.retryable = retryable;
    }

    /** The code as clients and workers write it, e.g. "no_capacity". */
    public String wireName() {
        return wireName;
    }

    public int httpStatus() {
        return httpStatus;
    }

    /** How a WebSocket is closed when this error ends it (most errors are frames on an open socket). */
    public short webSocketCloseCode() {
        return webSocketCloseCode;
    }

    /** True when the rows concerned may succeed on another worker. */
    public boolean retryable() {
        return retryable;
    }

    /** The code of a wire name, or empty when it names none (e.g. a newer worker's). */
    public static java.util.Optional<ErrorCode> byWireName(String wireName) {
        for (ErrorCode code : values()) {
            if (code.wireName.equals(wireName)) {
                return java.util.Optional.of(code);
            }
        }
        return java.util.Optional.empty();
    }
}
