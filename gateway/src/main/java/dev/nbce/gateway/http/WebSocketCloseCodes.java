package dev.nbce.gateway.http;

import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;

/**
 * RFC 6455 §7.4.1 close codes for violations of the protocol itself, and the code for each error
 * Netty's frame decoder reports (closes for request errors come from {@code ErrorCode}).
 */
final class WebSocketCloseCodes {
    static final short PROTOCOL_ERROR = 1002;
    static final short INVALID_PAYLOAD = 1007;
    static final short MESSAGE_TOO_BIG = 1009;

    record Close(short code, String reason) {}

    private WebSocketCloseCodes() {}

    /** The close for a decoder error, or null when the error is not about the client's frames (e.g. a reset). */
    static Close forDecoderError(Throwable error) {
        if (error instanceof CorruptedWebSocketFrameException corrupted) {
            short code = (short) corrupted.closeStatus().code();
            return new Close(code, code == MESSAGE_TOO_BIG ? "frame too large" : "protocol error");
        }
        if (error instanceof TooLongFrameException) {
            return new Close(MESSAGE_TOO_BIG, "frame too large");
        }
        if (error instanceof CorruptedFrameException) {
            return new Close(PROTOCOL_ERROR, "protocol error");
        }
        return null;
    }
}
