package dev.nbce.gateway.http;

/** Maps the gateway's error codes to HTTP statuses, for responses and for WebSocket error frames. */
final class ErrorCodes {
    private ErrorCodes() {}

    static int httpStatus(String code) {
        return switch (code) {
            case "bad_request", "invalid_json", "unknown_type", "unknown_id", "duplicate_id" -> 400;
            case "unauthorized" -> 401;
            case "not_found" -> 404;
            case "too_large" -> 413;
            case "overloaded", "too_many_requests" -> 429;
            case "no_capacity", "no_workers", "worker_failed", "worker_lost", "worker_timeout", "not_ready", "shutting_down" -> 503;
            default -> 500;
        };
    }
}
