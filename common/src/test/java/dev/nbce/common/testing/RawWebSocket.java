package dev.nbce.common.testing;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Random;

/**
 * A WebSocket client at the byte level, for conformance and abuse tests: it writes exactly the frames a
 * test asks for (bad masks, reserved bits and opcodes, non-minimal lengths, invalid UTF-8, headers that
 * announce payloads that never come), which no well-behaved client library would send, from any local
 * address (127.0.0.x, so per-address limits can be exercised), and reads the server's frames raw.
 */
public final class RawWebSocket implements AutoCloseable {
    public static final int TEXT = 0x1;
    public static final int BINARY = 0x2;
    public static final int CONTINUATION = 0x0;
    public static final int CLOSE = 0x8;
    public static final int PING = 0x9;

    /** A frame from the server. */
    public record Frame(boolean fin, int rsv, int opcode, byte[] payload) {
        public String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }

        /** The status code of a close frame, or -1 if it has none. */
        public int closeCode() {
            return payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : -1;
        }
    }

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private final Random random = new Random(42);

    private RawWebSocket(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    /** Connects from 127.0.0.1 and completes the opening handshake, which must succeed (101). */
    public static RawWebSocket connect(int port, String path, String... extraHeaders) throws IOException {
        RawWebSocket ws = open("127.0.0.1", port, path, extraHeaders);
        if (ws.statusCode() != 101) {
            ws.close();
            throw new IOException("handshake refused: " + ws.handshakeResponse);
        }
        return ws;
    }

    /**
     * Connects from {@code localAddress} and sends the opening handshake with {@code extraHeaders} (raw
     * header lines); the server's answer, accepted or not, is in {@link #handshakeResponse()}.
     */
    public static RawWebSocket open(String localAddress, int port, String path, String... extraHeaders) throws IOException {
        Socket socket = new Socket(InetAddress.getByName("127.0.0.1"), port, InetAddress.getByName(localAddress), 0);
        socket.setSoTimeout(10_000);
        RawWebSocket ws = new RawWebSocket(socket);
        StringBuilder request = new StringBuilder("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n"
                + "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                + "Sec-WebSocket-Key: " + Base64.getEncoder().encodeToString(new byte[16]) + "\r\n");
        for (String header : extraHeaders) {
            request.append(header).append("\r\n");
        }
        ws.out.write(request.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
        ws.out.flush();
        ws.handshakeResponse = ws.readHead();
        return ws;
    }

    private String handshakeResponse = "";

    /** The server's answer to the handshake: status line and headers (empty if it closed at once). */
    public String handshakeResponse() {
        return handshakeResponse;
    }

    /** The handshake's HTTP status, or -1 when the server answered nothing. */
    public int statusCode() {
        String[] parts = handshakeResponse.split(" ", 3);
        return parts.length > 1 ? Integer.parseInt(parts[1].trim()) : -1;
    }

    private String readHead() throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                break; // closed without (all of) an answer
            }
            head.write(b);
            matched = (b == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    /** Sends a masked frame with the usual minimal length encoding. */
    public void send(boolean fin, int opcode, byte[] payload) throws IOException {
        send(fin, 0, opcode, payload, true, false);
    }

    public void sendText(String text) throws IOException {
        send(true, TEXT, text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Any frame: {@code rsv} is the three reserved bits (0..7), {@code masked} false sends an unmasked
     * client frame, {@code wideLength} encodes a short length in 16 bits (not the minimal encoding).
     */
    public void send(boolean fin, int rsv, int opcode, byte[] payload, boolean masked, boolean wideLength) throws IOException {
        ByteArrayOutputStream frame = new ByteArrayOutputStream();
        frame.write((fin ? 0x80 : 0) | (rsv << 4) | opcode);
        int maskBit = masked ? 0x80 : 0;
        if (payload.length < 126 && !wideLength) {
            frame.write(maskBit | payload.length);
        } else if (payload.length <= 0xffff) {
            frame.write(maskBit | 126);
            frame.write(payload.length >> 8);
            frame.write(payload.length & 0xff);
        } else {
            frame.write(maskBit | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                frame.write((int) (((long) payload.length) >> shift) & 0xff);
            }
        }
        byte[] body = payload.clone();
        if (masked) {
            byte[] mask = new byte[4];
            random.nextBytes(mask);
            frame.write(mask);
            for (int i = 0; i < body.length; i++) {
                body[i] ^= mask[i % 4];
            }
        }
        frame.write(body);
        out.write(frame.toByteArray());
        out.flush();
    }

    /** Any bytes, as they are. */
    public void sendRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** A masked text-frame header announcing {@code length} payload bytes that never follow. */
    public static byte[] headerOnly(long length) {
        byte[] header = new byte[14];
        header[0] = (byte) 0x81;
        header[1] = (byte) (0x80 | 127);
        for (int i = 0; i < 8; i++) {
            header[2 + i] = (byte) (length >>> (56 - 8 * i));
        }
        return header;
    }

    /** The next frame from the server, or null when the connection ends without one. */
    public Frame read() throws IOException {
        int first;
        try {
            first = in.read();
        } catch (SocketTimeoutException e) {
            throw new IOException("no frame within the timeout", e);
        }
        if (first < 0) {
            return null;
        }
        int second = in.readUnsignedByte();
        long length = second & 0x7f;
        if (length == 126) {
            length = in.readUnsignedShort();
        } else if (length == 127) {
            length = in.readLong();
        }
        byte[] payload = new byte[(int) length];
        in.readFully(payload);
        return new Frame((first & 0x80) != 0, (first >> 4) & 0x7, first & 0x0f, payload);
    }

    /** Reads frames until a close frame (returned) or the end of the connection (null). */
    public Frame readUntilClose() throws IOException {
        for (Frame f = read(); f != null; f = read()) {
            if (f.opcode() == CLOSE) {
                return f;
            }
        }
        return null;
    }

    /** The close code the server ends with; -1 when the connection ends or times out without a close frame. */
    public int closeCode() throws IOException {
        try {
            Frame close = readUntilClose();
            return close == null ? -1 : close.closeCode();
        } catch (IOException timedOut) {
            return -1;
        }
    }

    /** The payload of the next text frame, or null when the connection closes (or times out) first. */
    public String nextText() throws IOException {
        try {
            for (Frame f = read(); f != null; f = read()) {
                if (f.opcode() == TEXT) {
                    return f.text();
                }
                if (f.opcode() == CLOSE) {
                    return null;
                }
            }
            return null;
        } catch (IOException timedOut) {
            return null;
        }
    }

    /** The next text frame, skipping control frames. */
    public Frame readText() throws IOException {
        for (Frame f = read(); f != null; f = read()) {
            if (f.opcode() == TEXT) {
                return f;
            }
            if (f.opcode() == CLOSE) {
                throw new IOException("closed with " + f.closeCode() + " while a text frame was expected");
            }
        }
        throw new EOFException("connection ended while a text frame was expected");
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
