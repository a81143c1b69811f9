package dev.nbce.common.wire;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageCodec;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * A binary event-bus codec for one protocol record: a length prefix, then the fields. Locally
 * delivered messages are passed as they are (records are immutable). Tells its meter the size of
 * every message it decodes.
 */
final class RecordCodec<T> implements MessageCodec<T, T> {
    private final Class<T> type;
    private final BiConsumer<WireWriter, T> write;
    private final Function<WireReader, T> read;
    private final WireMeter meter;

    RecordCodec(Class<T> type, BiConsumer<WireWriter, T> write, Function<WireReader, T> read) {
        this(type, write, read, WireMeter.NONE);
    }

    private RecordCodec(Class<T> type, BiConsumer<WireWriter, T> write, Function<WireReader, T> read, WireMeter meter) {
        this.type = type;
        this.write = write;
        this.read = read;
        this.meter = meter;
    }

    /** The same codec, reporting decoded sizes to {@code meter}. */
    RecordCodec<T> metered(WireMeter meter) {
        return new RecordCodec<>(type, write, read, meter);
    }

    Class<T> type() {
        return type;
    }

    @Override
    public void encodeToWire(Buffer buffer, T value) {
        int start = buffer.length();
        buffer.appendInt(0);
        write.accept(new WireWriter(buffer), value);
        buffer.setInt(start, buffer.length() - start - 4);
    }

    @Override
    public T decodeFromWire(int pos, Buffer buffer) {
        int length = buffer.getInt(pos);
        if (length < 0 || length > buffer.length() - pos - 4) {
            throw new IllegalArgumentException("corrupt " + type.getSimpleName() + ": length " + length);
        }
        WireReader reader = new WireReader(buffer, pos + 4);
        T value = read.apply(reader);
        if (reader.position() != pos + 4 + length) {
            throw new IllegalArgumentException("corrupt " + type.getSimpleName() + ": " + (reader.position() - pos - 4)
                    + " bytes read of " + length);
        }
        meter.received(value, length + 4);
        return value;
    }

    @Override
    public T transform(T value) {
        return value;
    }

    @Override
    public String name() {
        return "nbce." + type.getSimpleName();
    }

    @Override
    public byte systemCodecID() {
        return -1;
    }
}
