package dev.nbce.gateway.service;

/**
 * Where a request came from, for its trace: the name of its request span (e.g. {@code POST /v1/generate}) and the
 * W3C {@code traceparent} the client sent (null when it sent none).
 */
public record RequestOrigin(String name, String traceparent) {
    /** A request made inside this process (the CLI, benches, tests). */
    public static final RequestOrigin INTERNAL = new RequestOrigin("nbce generate", null);

    public RequestOrigin {
        java.util.Objects.requireNonNull(name, "name");
    }
}
