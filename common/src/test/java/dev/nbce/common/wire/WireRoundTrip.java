package dev.nbce.common.wire;

import io.vertx.core.buffer.Buffer;

/** A value through the wire format, as a remote node would see it: the codec's encodeToWire, then decodeFromWire. */
public final class WireRoundTrip {
    private WireRoundTrip() {
    }

    @SuppressWarnings("unchecked")
    public static <T> T roundTrip(T value) {
        for (RecordCodec<?> codec : WireCodecs.ALL) {
            if (codec.type() == value.getClass()) {
                RecordCodec<T> typed = (RecordCodec<T>) codec;
                Buffer buffer = Buffer.buffer();
                typed.encodeToWire(buffer, value);
                return typed.decodeFromWire(0, buffer);
            }
        }
        throw new IllegalArgumentException("no codec for " + value.getClass().getSimpleName());
    }
}
