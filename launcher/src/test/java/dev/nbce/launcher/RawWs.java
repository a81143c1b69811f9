package dev.nbce.launcher;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * A WebSocket client at the byte level from a chosen local address (127.0.0.x, so per-address limits
 * can be exercised without locking the test's own address out): handshake status, raw frames, the close code.
 */
final class RawWs implements AutoCloseable {
    private final Socket socket;
    private final DataInputStream in;
    final String status;

    private RawWs(Socket socket, String status) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(socket.getInputStream());
        this.status = status;
    }

    static RawWs connect(String localAddress, int port, String... headers) throws IOException {
        return connectTo(localAddress, port, "/v1/ws", headers);
    }

    static RawWs connectTo(String localAddress, int port, String path, String... headers) throws IOException {
        Socket socket = new Socket(InetAddress.getByName("127.0.0.1"), port, InetAddress.getByName(localAddress), 0);
        socket.setSoTimeout(10_000);
        StringBuilder request = new StringBuilder("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n"
                + "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                + "Sec-WebSocket-Key: " + Base64.getEncoder().encodeToString(new byte[16]) + "\r\n");
        for (String header : headers) {
            request.append(header).append("\r\n");
        }
        socket.getOutputStream().write(request.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = socket.getInputStream().read();
            if (b < 0) {
                break;
            }
            head.write(b);
            matched = (b == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        String text = head.toString(StandardCharsets.ISO_8859_1);
        return new RawWs(socket, text.isEmpty() ? "" : text.substring(0, text.indexOf('\r') < 0 ? text.length() : text.indexOf('\r')));
    }

    int statusCode() {
        String[] parts = status.split(" ");
        return parts.length > 1 ? Integer.parseInt(parts[1]) : -1;
    }

    void sendRaw(byte[] bytes) throws IOException {
        socket.getOutputStream().write(bytes);
        socket.getOutputStream().flush();
    }

    /** A masked text frame (mask key 0). */
    void sendText(String text) throws IOException {
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream frame = new ByteArrayOutputStream();
        frame.write(0x81);
        if (payload.length < 126) {
            frame.write(0x80 | payload.length);
        } else {
            frame.write(0x80 | 126);
            frame.write(payload.length >>> 8);
            frame.write(payload.length & 0xff);
        }
        frame.write(new byte[4]);
        frame.write(payload);
        sendRaw(frame.toByteArray());
    }

    /** A masked text-frame header announcing {@code length} payload bytes that never follow. */
    static byte[] headerOnly(long length) {
        byte[] header = new byte[14];
        header[0] = (byte) 0x81;
        header[1] = (byte) (0x80 | 127);
        for (int i = 0; i < 8; i++) {
            header[2 + i] = (byte) (length >>> (56 - 8 * i));
        }
        return header;
    }

    /** Reads frames until a close frame: its code; -1 when the connection ends (or times out) without one. */
    int closeCode() throws IOException {
        return readUntil(0x8);
    }

    /** The payload of the next text frame, or null when the connection closes first. */
    String nextText() throws IOException {
        lastText = null;
        readUntil(0x1);
        return lastText;
    }

    private String lastText;

    /** Reads frames until one with {@code opcode} (or a close); a close frame's code, or -1. */
    private int readUntil(int opcode) throws IOException {
        try {
            while (true) {
                int first = in.read();
                if (first < 0) {
                    return -1;
                }
                long length = in.readUnsignedByte() & 0x7f;
                if (length == 126) {
                    length = in.readUnsignedShort();
                } else if (length == 127) {
                    length = in.readLong();
                }
                byte[] payload = new byte[(int) length];
                in.readFully(payload);
                if ((first & 0x0f) == 0x1 && opcode == 0x1) {
                    lastText = new String(payload, StandardCharsets.UTF_8);
                    return 0;
                }
                if ((first & 0x0f) == 0x8) {
                    return payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : -1;
                }
            }
        } catch (SocketTimeoutException e) {
            return -1;
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
