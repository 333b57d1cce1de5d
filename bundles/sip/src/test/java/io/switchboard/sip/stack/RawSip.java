package io.switchboard.sip.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.switchboard.sip.Loopback;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/** SIP as bytes on real sockets: requests written by hand, responses read back, no stack of our own. */
public final class RawSip {
    static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    private RawSip() {}

    /** A request as a peer writes it; {@code ids} are what its answer must repeat. */
    record Sent(String text, String callId, String cseq, String branch) {
        byte[] bytes() {
            return text.getBytes(StandardCharsets.UTF_8);
        }
    }

    /** A response as read: the status code and the headers (names lower-cased, first value of each). */
    public record Received(int status, Map<String, String> headers) {
        /** Asserts that the response answers {@code request}: same Call-ID, CSeq and Via branch. */
        void answers(Sent request) {
            assertEquals(request.callId(), headers.get("call-id"), "Call-ID");
            assertEquals(request.cseq(), headers.get("cseq"), "CSeq");
            assertEquals(request.branch(), param(headers.get("via"), "branch"), "Via branch");
        }
    }

    static Sent request(String method, String transport, int localPort, int stackPort) {
        return request(method, transport, localPort, stackPort, "");
    }

    /** A request with {@code extraHeaders} (each ending in CRLF) before its Content-Length. */
    static Sent request(String method, String transport, int localPort, int stackPort, String extraHeaders) {
        String callId = UUID.randomUUID() + "@test";
        String branch = "z9hG4bK" + UUID.randomUUID().toString().replace("-", "");
        String cseq = "1 " + method;
        String text = method + " sip:switchboard@127.0.0.1:" + stackPort + " SIP/2.0\r\n"
                + "Via: SIP/2.0/" + transport + " 127.0.0.1:" + localPort + ";branch=" + branch + ";rport\r\n"
                + "Max-Forwards: 70\r\n"
                + "From: <sip:peer@127.0.0.1:" + localPort + ">;tag=" + UUID.randomUUID().toString().substring(0, 8) + "\r\n"
                + "To: <sip:switchboard@127.0.0.1:" + stackPort + ">\r\n"
                + "Call-ID: " + callId + "\r\n"
                + "CSeq: " + cseq + "\r\n"
                + "Contact: <sip:peer@127.0.0.1:" + localPort + ";transport=" + transport.toLowerCase(Locale.ROOT) + ">\r\n"
                + extraHeaders
                + "Content-Length: 0\r\n\r\n";
        return new Sent(text, callId, cseq, branch);
    }

    /** Sends {@code request} from {@code socket} and returns its final response. */
    static Received exchange(DatagramSocket socket, int stackPort, Sent request) throws IOException {
        send(socket, stackPort, request.bytes());
        return finalResponse(request, () -> receive(socket));
    }

    static void send(DatagramSocket socket, int stackPort, byte[] bytes) throws IOException {
        socket.send(new DatagramPacket(bytes, bytes.length, LOOPBACK, stackPort));
    }

    public static String receive(DatagramSocket socket) throws IOException {
        DatagramPacket packet = new DatagramPacket(new byte[65_535], 65_535);
        socket.receive(packet);
        return new String(packet.getData(), 0, packet.getLength(), StandardCharsets.UTF_8);
    }

    /** Sends {@code request} over {@code socket} and returns its final response. */
    static Received exchange(Socket socket, Sent request) throws IOException {
        socket.getOutputStream().write(request.bytes());
        socket.getOutputStream().flush();
        return finalResponse(request, () -> read(socket.getInputStream()));
    }

    /** One message from a stream: the head up to the empty line, then Content-Length bytes. */
    static String read(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0) {
            head.write(b);
            byte[] h = head.toByteArray();
            int n = h.length;
            if (n >= 4 && h[n - 4] == '\r' && h[n - 3] == '\n' && h[n - 2] == '\r' && h[n - 1] == '\n') break;
        }
        if (b < 0) throw new IOException("closed after " + head.size() + " bytes");
        String text = head.toString(StandardCharsets.UTF_8);
        String length = parse(text).headers().getOrDefault("content-length", "0");
        return text + new String(in.readNBytes(Integer.parseInt(length.strip())), StandardCharsets.UTF_8);
    }

    private interface Reader {
        String next() throws IOException;
    }

    /** Skips provisional responses and those to other requests (a malformed one sent before, say). */
    private static Received finalResponse(Sent request, Reader reader) throws IOException {
        while (true) {
            Received r = parse(reader.next());
            if (r.status() >= 200 && request.callId().equals(r.headers().get("call-id"))) return r;
        }
    }

    public static Received parse(String message) {
        String[] lines = message.split("\r\n");
        if (!lines[0].startsWith("SIP/2.0 ")) throw new AssertionError("not a response: " + message);
        int status = Integer.parseInt(lines[0].substring(8, 11));
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length && !lines[i].isEmpty(); i++) {
            int colon = lines[i].indexOf(':');
            headers.putIfAbsent(lines[i].substring(0, colon).strip().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).strip());
        }
        return new Received(status, headers);
    }

    static String param(String header, String name) {
        for (String part : header.split(";")) {
            if (part.strip().startsWith(name + "=")) return part.strip().substring(name.length() + 1);
        }
        return null;
    }

    /** A port free on 127.0.0.1 for both UDP and TCP, as the stack listens on both. */
    static int freePort() throws IOException {
        return Loopback.freePort(LOOPBACK);
    }

    static DatagramSocket udpPeer() throws IOException {
        DatagramSocket socket = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0));
        socket.setSoTimeout(5_000);
        return socket;
    }

    static Socket tcpPeer(int stackPort) throws IOException {
        Socket socket = new Socket(LOOPBACK, stackPort);
        socket.setSoTimeout(5_000);
        return socket;
    }

    /** True when nothing arrives on {@code socket} within its timeout. */
    public static boolean silent(DatagramSocket socket, int millis) throws IOException {
        socket.setSoTimeout(millis);
        try {
            receive(socket);
            return false;
        } catch (SocketTimeoutException e) {
            return true;
        } finally {
            socket.setSoTimeout(5_000);
        }
    }
}
