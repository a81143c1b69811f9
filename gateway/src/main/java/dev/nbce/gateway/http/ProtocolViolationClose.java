package dev.nbce.gateway.http;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameDecoder;
import java.util.Map;

/**
 * Answers a frame the decoder refuses (a new data frame inside a fragmented message, a reserved
 * opcode, a frame over the size limit…) with the RFC 6455 close frame, sent from the channel itself,
 * then closes. Vert.x configures Netty's decoder not to close on protocol violations and, on the
 * decoder's exception, closes the channel at once while it hands the error to the socket's exception
 * handler later: a close frame written from that handler could find the channel already closed (a
 * bare TCP drop). Sits right after the decoder; errors that are not about the client's frames pass on.
 */
final class ProtocolViolationClose extends ChannelInboundHandlerAdapter {
    private boolean closing;

    private ProtocolViolationClose() {}

    /** Installs it after the WebSocket frame decoder of {@code pipeline}; false if there is no decoder. */
    static boolean install(ChannelPipeline pipeline) {
        String decoder = decoderName(pipeline);
        if (decoder == null) {
            return false;
        }
        pipeline.addAfter(decoder, "nbce-protocol-close", new ProtocolViolationClose());
        return true;
    }

    /** The name of the WebSocket frame decoder in {@code pipeline}, or null when it has none. */
    static String decoderName(ChannelPipeline pipeline) {
        for (Map.Entry<String, ChannelHandler> handler : pipeline) {
            if (handler.getValue() instanceof WebSocketFrameDecoder) {
                return handler.getKey();
            }
        }
        return null;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        WebSocketCloseCodes.Close close = WebSocketCloseCodes.forDecoderError(cause);
        if (close == null) {
            ctx.fireExceptionCaught(cause);
            return;
        }
        if (!closing) {
            closing = true;
            // From the tail, so the frame goes through the WebSocket encoder wherever it sits.
            ctx.channel().writeAndFlush(new CloseWebSocketFrame(close.code(), close.reason()))
                    .addListener(ChannelFutureListener.CLOSE);
        }
    }
}
