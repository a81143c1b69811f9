package dev.nbce.gateway.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.util.ReferenceCountUtil;

/**
 * Reads the header of every frame a socket sends before it authenticates, ahead of Netty's frame
 * decoder: a frame longer than the pre-auth limit is refused on its header, so its payload is never
 * buffered (the decoder would otherwise hold up to the full message limit per socket). Passes the
 * bytes through unchanged; removed once the socket authenticates.
 */
final class PreAuthFrameLimit extends ChannelInboundHandlerAdapter {
    private final long maxPayload;
    private final Runnable onViolation;
    private final byte[] header = new byte[14];
    private int headerBytes;
    private long payloadLeft;
    private boolean violated;

    private PreAuthFrameLimit(long maxPayload, Runnable onViolation) {
        this.maxPayload = maxPayload;
        this.onViolation = onViolation;
    }

    /** Installs the limit before the WebSocket frame decoder of {@code pipeline}; returns it, or null if there is no decoder. */
    static PreAuthFrameLimit install(ChannelPipeline pipeline, long maxPayload, Runnable onViolation) {
        String decoder = ProtocolViolationClose.decoderName(pipeline);
        if (decoder == null) {
            return null;
        }
        PreAuthFrameLimit limit = new PreAuthFrameLimit(maxPayload, onViolation);
        pipeline.addBefore(decoder, "nbce-preauth-limit", limit);
        return limit;
    }

    /** The socket authenticated: frames up to the full message limit from now on. */
    static void remove(ChannelPipeline pipeline, PreAuthFrameLimit limit) {
        if (limit != null && pipeline.context(limit) != null) {
            pipeline.remove(limit);
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (violated) {
            ReferenceCountUtil.release(msg); // the socket is being closed: nothing more reaches the decoder
            return;
        }
        if (msg instanceof ByteBuf bytes && !scan(bytes)) {
            violated = true;
            ReferenceCountUtil.release(msg);
            onViolation.run();
            return;
        }
        ctx.fireChannelRead(msg);
    }

    /** Walks frame boundaries in {@code bytes} without consuming them; false when a frame is too long. */
    private boolean scan(ByteBuf bytes) {
        int index = bytes.readerIndex();
        int end = bytes.writerIndex();
        while (index < end) {
            if (payloadLeft > 0) {
                long skip = Math.min(payloadLeft, end - index);
                payloadLeft -= skip;
                index += (int) skip;
                continue;
            }
            header[headerBytes++] = bytes.getByte(index++);
            int needed = headerLength();
            if (needed > 0 && headerBytes == needed) {
                long length = payloadLength();
                if (length > maxPayload || length < 0) {
                    return false;
                }
                payloadLeft = length;
                headerBytes = 0;
            }
        }
        return true;
    }

    /** RFC 6455 §5.2: 2 bytes, then 0/2/8 bytes of extended length, then the 4-byte mask; 0 = not known yet. */
    private int headerLength() {
        if (headerBytes < 2) {
            return 0;
        }
        int length7 = header[1] & 0x7f;
        int extended = length7 == 126 ? 2 : length7 == 127 ? 8 : 0;
        boolean masked = (header[1] & 0x80) != 0;
        return 2 + extended + (masked ? 4 : 0);
    }

    private long payloadLength() {
        int length7 = header[1] & 0x7f;
        if (length7 < 126) {
            return length7;
        }
        int bytes = length7 == 126 ? 2 : 8;
        long length = 0;
        for (int i = 0; i < bytes; i++) {
            length = (length << 8) | (header[2 + i] & 0xff);
        }
        return length;
    }
}
