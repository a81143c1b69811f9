package dev.nbce.gateway.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameEncoder;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The pipeline of a server WebSocket as Vert.x builds it (its decoder does not close on violations;
 * its handler closes the channel on any decoder error before the socket's exception handler could
 * answer), without timing: a new text frame where a continuation is due must still leave a 1002
 * close frame on the wire before the channel closes.
 */
class ProtocolViolationCloseTest {
    /** Stands in for Vert.x's VertxHandler: closes the channel on any exception that reaches it. */
    private static final class ClosesOnError extends ChannelInboundHandlerAdapter {
        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    private static EmbeddedChannel serverPipeline(boolean withClose) {
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.pipeline().addLast("wsencoder", new WebSocket13FrameEncoder(false));
        channel.pipeline().addLast("wsdecoder", new WebSocket13FrameDecoder(WebSocketDecoderConfig.newBuilder()
                .expectMaskedFrames(true).allowExtensions(false).closeOnProtocolViolation(false).build()));
        channel.pipeline().addLast("handler", new ClosesOnError());
        if (withClose) {
            assertTrue(ProtocolViolationClose.install(channel.pipeline()));
        }
        return channel;
    }

    /** One masked client frame (payload under 126 bytes). */
    private static byte[] frame(boolean fin, int opcode, String text) {
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        byte[] mask = {1, 2, 3, 4};
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write((fin ? 0x80 : 0) | opcode);
        out.write(0x80 | payload.length);
        out.writeBytes(mask);
        for (int i = 0; i < payload.length; i++) {
            out.write(payload[i] ^ mask[i % 4]);
        }
        return out.toByteArray();
    }

    private static ByteBuf textInsideAFragmentedMessage() {
        return Unpooled.wrappedBuffer(frame(false, 0x1, "{\"type\":"), frame(true, 0x1, "{}"));
    }

    @Test
    void aNewTextFrameInsideAFragmentedMessageGetsA1002CloseFrameBeforeTheChannelCloses() {
        EmbeddedChannel channel = serverPipeline(true);
        channel.writeInbound(textInsideAFragmentedMessage());
        ByteBuf sent = channel.readOutbound();
        assertNotNull(sent, "a close frame, not a bare TCP close");
        assertEquals(0x88, sent.getUnsignedByte(0), "a final close frame");
        assertEquals(1002, sent.getUnsignedShort(2));
        sent.release();
        assertFalse(channel.isOpen(), "closed once the frame is written");
        channel.finishAndReleaseAll();
    }

    @Test
    void withoutItTheChannelClosesWithoutACloseFrame() {
        EmbeddedChannel channel = serverPipeline(false);
        channel.writeInbound(textInsideAFragmentedMessage());
        assertNull(channel.readOutbound(), "what the hostile-input campaign saw");
        assertFalse(channel.isOpen());
        channel.finishAndReleaseAll();
    }
}
