package io.switchboard.it;

import com.dampcake.bencode.Bencode;
import com.dampcake.bencode.Type;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real rtpengine (Debian's rtpengine-daemon, user space, no kernel module) on loopback for a test,
 * and a minimal ng client to ask it what it relayed. Its own client, not the calls bundle's, so the
 * test checks rtpengine's view and not ours.
 */
final class Rtpengine implements AutoCloseable {
    private static final Path BINARY = Path.of("/usr/bin/rtpengine");
    private final Process process;
    private final int ngPort;
    private final Path log;
    private final Bencode bencode = new Bencode(StandardCharsets.ISO_8859_1);

    private Rtpengine(Process process, int ngPort, Path log) {
        this.process = process;
        this.ngPort = ngPort;
        this.log = log;
    }

    /** Starts rtpengine with media ports in [portMin, portMax] on 127.0.0.1; returns once it answers a ping. */
    static Rtpengine start(int portMin, int portMax) throws Exception {
        if (!Files.isExecutable(BINARY)) {
            throw new AssertionError("rtpengine is installed by .ci/run (Debian package rtpengine-daemon)");
        }
        int port;
        try (DatagramSocket probe = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        Path log = Files.createTempFile("rtpengine", ".log");
        Process p = new ProcessBuilder(BINARY.toString(), "--config-file=none", "--table=-1", "--interface=127.0.0.1",
                "--listen-ng=127.0.0.1:" + port, "--port-min=" + portMin, "--port-max=" + portMax, "--foreground",
                "--log-stderr", "--delete-delay=0")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        Rtpengine r = new Rtpengine(p, port, log);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (System.nanoTime() < deadline) {
            try {
                if ("pong".equals(r.request(Map.of("command", "ping")).get("result"))) return r;
            } catch (IOException notYet) {
                Thread.sleep(100);
            }
        }
        r.close();
        throw new AssertionError("rtpengine did not start: " + Files.readString(log));
    }

    /** {@code host:port} for SWITCHBOARD_RTPENGINE. */
    String ngAddress() {
        return "127.0.0.1:" + ngPort;
    }

    /** The answer to {@code query} for a call: per tag, its streams and packet counters. */
    Map<String, Object> query(String callId) throws IOException {
        return request(Map.of("command", "query", "call-id", callId));
    }

    /**
     * Per leg (tag) of a call, the packets rtpengine received from it, from the answer to {@link #query}:
     * {tags: {tag: {medias: [{streams: [{stats: {packets: n}}]}]}}}, a leg's streams summed.
     */
    /**
     * The rtpengine tag of the far leg's branch that rang the {@code n}th target of a ring step (from 1):
     * the callee leg for the first, callee.n for the others, each with ports of its own.
     */
    static String calleeBranch(int n) {
        return n == 1 ? "callee" : "callee." + n;
    }

    static Map<String, Long> packetsPerLeg(Map<String, Object> query) {
        Map<String, Long> legs = new HashMap<>();
        if (!(query.get("tags") instanceof Map<?, ?> byTag)) return legs;
        for (Map.Entry<?, ?> tag : byTag.entrySet()) {
            long sum = 0;
            if (tag.getValue() instanceof Map<?, ?> leg && leg.get("medias") instanceof List<?> medias) {
                for (Object media : medias) {
                    if (media instanceof Map<?, ?> m && m.get("streams") instanceof List<?> streams) {
                        for (Object stream : streams) {
                            if (stream instanceof Map<?, ?> st && st.get("stats") instanceof Map<?, ?> stats
                                    && stats.get("packets") instanceof Number n) {
                                sum += n.longValue();
                            }
                        }
                    }
                }
            }
            legs.put(tag.getKey().toString(), sum);
        }
        return legs;
    }

    /** The call ids rtpengine holds now. */
    List<String> calls() throws IOException {
        List<String> ids = new ArrayList<>();
        for (Object id : (List<?>) list().getOrDefault("calls", List.of())) ids.add(id.toString());
        return ids;
    }

    /** rtpengine's {@code list} of call ids it holds. */
    Map<String, Object> list() throws IOException {
        return request(Map.of("command", "list"));
    }

    String log() throws IOException {
        return Files.readString(log);
    }

    Map<String, Object> request(Map<String, Object> command) throws IOException {
        String cookie = Long.toHexString(System.nanoTime());
        byte[] body = bencode.encode(command);
        byte[] head = (cookie + " ").getBytes(StandardCharsets.US_ASCII);
        byte[] packet = Arrays.copyOf(head, head.length + body.length);
        System.arraycopy(body, 0, packet, head.length, body.length);
        try (DatagramSocket socket = new DatagramSocket()) {
            socket.setSoTimeout(1000);
            InetSocketAddress to = new InetSocketAddress(InetAddress.getLoopbackAddress(), ngPort);
            socket.send(new DatagramPacket(packet, packet.length, to));
            byte[] buffer = new byte[65_535];
            DatagramPacket reply = new DatagramPacket(buffer, buffer.length);
            try {
                socket.receive(reply);
            } catch (SocketTimeoutException e) {
                throw new IOException("rtpengine did not answer", e);
            }
            int space = 0;
            while (space < reply.getLength() && buffer[space] != ' ') space++;
            byte[] dict = Arrays.copyOfRange(buffer, space + 1, reply.getLength());
            return new HashMap<>(bencode.decode(dict, Type.DICTIONARY));
        }
    }

    @Override
    public void close() throws Exception {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly();
    }
}
