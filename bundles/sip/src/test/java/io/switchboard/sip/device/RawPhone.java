package io.switchboard.sip.device;

import io.switchboard.sip.stack.RawSip;
import io.switchboard.sip.trunk.Digest;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A SIP phone written by hand over UDP, for what SIPp does not do on request: requests with broken
 * headers, replays, a chosen nonce count. One Call-ID and From tag per phone, the CSeq one up per request.
 */
final class RawPhone implements AutoCloseable {
    private static final Pattern NONCE = Pattern.compile("nonce=\"([^\"]+)\"");
    private static final Pattern CONTACT = Pattern.compile("(?m)^(?:Contact|m): *(.*?)\\r?$");

    final DatagramSocket socket;
    final String user;
    final String password;
    final String domain;
    private final InetSocketAddress registrar;
    final String callId = UUID.randomUUID() + "@phone";
    private final String fromTag = UUID.randomUUID().toString().substring(0, 8);
    long cseq;
    String nonce;
    int nc;

    RawPhone(InetAddress address, InetSocketAddress registrar, String user, String password, String domain)
            throws IOException {
        this.socket = new DatagramSocket(new InetSocketAddress(address, 0));
        socket.setSoTimeout(5_000);
        this.registrar = registrar;
        this.user = user;
        this.password = password;
        this.domain = domain;
    }

    int port() {
        return socket.getLocalPort();
    }

    /** A request of ours with {@code headers} (each ending in CRLF) and the next CSeq. */
    String request(String method, String requestUri, String to, String headers) {
        return method + " " + requestUri + " SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP " + socket.getLocalAddress().getHostAddress() + ":" + port() + ";branch=z9hG4bK"
                + UUID.randomUUID().toString().replace("-", "") + ";rport\r\n"
                + "Max-Forwards: 70\r\n"
                + "From: <sip:" + user + "@" + domain + ">;tag=" + fromTag + "\r\n"
                + (to == null ? "" : "To: " + to + "\r\n")
                + "Call-ID: " + callId + "\r\n"
                + "CSeq: " + (++cseq) + " " + method + "\r\n"
                + headers
                + "Content-Length: 0\r\n\r\n";
    }

    /** A REGISTER of our own address-of-record. */
    String register(String headers) {
        return request("REGISTER", "sip:" + domain, "<sip:" + user + "@" + domain + ">", headers);
    }

    /** The Authorization (or Proxy-Authorization) for the last nonce, with the next nonce count. */
    String authorization(String header, String method, String uri) {
        String count = Digest.nc(++nc);
        String response = Digest.response(user, domain, password, method, uri, nonce, count, "c0ffee", "auth");
        return header + ": Digest username=\"" + user + "\", realm=\"" + domain + "\", nonce=\"" + nonce + "\", uri=\""
                + uri + "\", response=\"" + response + "\", algorithm=MD5, qop=auth, nc=" + count + ", cnonce=\"c0ffee\"\r\n";
    }

    /**
     * REGISTERs with {@code headers}, with credentials for the nonce of the last challenge if there was one;
     * a 401 is answered once. The final response.
     */
    String registerAuthorized(String headers) throws IOException {
        String auth = nonce == null ? "" : authorization("Authorization", "REGISTER", "sip:" + domain);
        String answer = exchange(register(auth + headers));
        if (RawSip.parse(answer).status() != 401) return answer;
        challengedBy(answer);
        return exchange(register(authorization("Authorization", "REGISTER", "sip:" + domain) + headers));
    }

    /** Keeps the challenge's nonce for what follows. */
    void challengedBy(String response) {
        Matcher m = NONCE.matcher(response);
        if (!m.find()) throw new AssertionError("no nonce in " + response);
        nonce = m.group(1);
        nc = 0;
    }

    /** Sends {@code request} and returns its final response (one to our Call-ID with the CSeq just used). */
    String exchange(String request) throws IOException {
        send(request);
        while (true) {
            String message = RawSip.receive(socket);
            RawSip.Received r = RawSip.parse(message);
            String cseqHeader = r.headers().get("cseq");
            if (r.status() >= 200 && callId.equals(r.headers().get("call-id")) && cseqHeader != null
                    && cseqHeader.startsWith(cseq + " ")) {
                return message;
            }
        }
    }

    void send(String request) throws IOException {
        byte[] bytes = request.getBytes(StandardCharsets.UTF_8);
        socket.send(new DatagramPacket(bytes, bytes.length, registrar));
    }

    /** Every Contact value of a message, in order (the stack puts them on one line, comma-separated). */
    static List<String> contacts(String message) {
        String head = message.split("\r\n\r\n", 2)[0];
        List<String> out = new ArrayList<>();
        Matcher m = CONTACT.matcher(head);
        while (m.find()) {
            for (String value : m.group(1).split(",(?=\\s*<)")) out.add(value.strip());
        }
        return out;
    }

    @Override
    public void close() {
        socket.close();
    }
}
