package dev.nbce.gateway.http;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketFrame;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Assembles a client's data frames into whole messages, strictly as RFC 6455 asks of a server: the
 * size limit counts every fragment of a message (so a message split into many small frames is
 * refused like one big frame, and nothing over the limit is buffered), and a text message must be
 * valid UTF-8 (Vert.x's own text handler would replace bad bytes with U+FFFD and run the request).
 * Control frames are answered by Vert.x itself and ignored here; frame-order violations are
 * rejected by Netty's decoder before they get here.
 */
final class WebSocketMessageAssembler {
    /** What a whole message turned out to be. */
    interface Sink {
        void text(String message);

        void binary();

        /** The message had more than {@code limit} bytes; its bytes were dropped, the socket stays usable. */
        void tooLarge(long limit);

        /** A text message that is not UTF-8: the connection must close with 1007. */
        void invalidUtf8();
    }

    private long maxBytes;
    private final Sink sink;
    private Buffer pending;
    private boolean pendingIsText;
    private long pendingBytes;
    private boolean oversized;

    WebSocketMessageAssembler(long maxBytes, Sink sink) {
        this.maxBytes = maxBytes;
        this.sink = sink;
    }

    /** A new limit for the messages that start from now on (raised once a socket authenticates). */
    void limit(long newMaxBytes) {
        maxBytes = newMaxBytes;
    }

    void onFrame(WebSocketFrame frame) {
        if (frame.isText() || frame.isBinary()) {
            pending = Buffer.buffer();
            pendingIsText = frame.isText();
            pendingBytes = 0;
            oversized = false;
        } else if (!frame.isContinuation() || pending == null) {
            return; // control frames, or a stray continuation Netty let through
        }
        Buffer data = frame.binaryData();
        pendingBytes += data.length();
        if (pendingBytes > maxBytes) {
            oversized = true;
            pending = Buffer.buffer(); // keep counting, stop holding the bytes
        } else if (!oversized) {
            pending.appendBuffer(data);
        }
        if (frame.isFinal()) {
            finish();
        }
    }

    private void finish() {
        Buffer message = pending;
        pending = null;
        if (oversized) {
            sink.tooLarge(maxBytes);
        } else if (!pendingIsText) {
            sink.binary();
        } else {
            String text = strictUtf8(message);
            if (text == null) {
                sink.invalidUtf8();
            } else {
                sink.text(text);
            }
        }
    }

    /** The decoded text, or null when the bytes are not well-formed UTF-8. */
    static String strictUtf8(Buffer bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes.getBytes())).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
