package dev.nbce.common.wire;

/**
 * Told the encoded size of every protocol message a node decodes off the network (messages
 * delivered inside one process are never encoded, so they are not counted). Called on whichever
 * thread decodes; implementations must be thread-safe.
 */
@FunctionalInterface
public interface WireMeter {
    WireMeter NONE = (message, bytes) -> { };

    void received(Object message, int bytes);

    /** Tells this meter, then {@code other}. */
    default WireMeter and(WireMeter other) {
        return (message, bytes) -> {
            received(message, bytes);
            other.received(message, bytes);
        };
    }

    /** Counts only messages of one protocol record, e.g. the workers' reports. */
    static <T> WireMeter of(Class<T> type, java.util.function.IntConsumer bytes) {
        return (message, size) -> {
            if (type.isInstance(message)) {
                bytes.accept(size);
            }
        };
    }
}
