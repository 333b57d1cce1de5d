package io.switchboard.calls.rtpengine;

import com.dampcake.bencode.Bencode;
import com.dampcake.bencode.BencodeException;
import com.dampcake.bencode.Type;
import io.switchboard.sdk.concurrent.DaemonThreads;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A client of rtpengine's ng control protocol: each request is a cookie, a space and a bencoded
 * dictionary in one UDP datagram; the answer carries the same cookie. A request without an answer is
 * sent again with the same cookie (rtpengine answers a repeated cookie from its cache instead of
 * running the command twice), a few times with growing waits. One socket and one receiving thread per
 * client; close it when done.
 */
public final class NgClient implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(NgClient.class);
    private static final char[] COOKIE_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789".toCharArray();
    private static final int MAX_DATAGRAM = 65_507;
    /** The longest wait between tries, however many are allowed. */
    private static final long MAX_WAIT_MS = 4000;

    private final Bencode bencode = new Bencode(StandardCharsets.UTF_8);
    private final SecureRandom random = new SecureRandom();
    private final InetSocketAddress server;
    private final DatagramChannel channel;
    private final Duration firstWait;
    private final int attempts;
    private final Map<String, CompletableFuture<Map<String, Object>>> pending = new ConcurrentHashMap<>();
    private final Thread receiver;
    private volatile boolean closed;

    /** Waits 500 ms for the first answer, then 1 s, 2 s, 4 s: five tries in about 8 s. */
    public NgClient(InetSocketAddress server) throws IOException {
        this(server, Duration.ofMillis(500), 5);
    }

    public NgClient(InetSocketAddress server, Duration firstWait, int attempts) throws IOException {
        this.server = server;
        this.firstWait = firstWait;
        this.attempts = attempts;
        this.channel = DatagramChannel.open();
        channel.bind(new InetSocketAddress(server.getAddress(), 0));
        this.receiver = DaemonThreads.start("switchboard-rtpengine-ng", this::receive);
    }

    /**
     * Sends a command ({@code "command"} plus its arguments) and returns rtpengine's answer. An answer
     * with {@code "result": "error"} becomes an {@link NgException} with its {@code error-reason}.
     */
    public Map<String, Object> request(Map<String, Object> command) throws IOException {
        if (closed) throw new IOException("The rtpengine client is closed");
        String cookie = cookie();
        byte[] body = bencode.encode(command);
        byte[] head = (cookie + " ").getBytes(StandardCharsets.US_ASCII);
        ByteBuffer datagram = ByteBuffer.allocate(head.length + body.length).put(head).put(body);
        if (datagram.capacity() > MAX_DATAGRAM) throw new IOException("The command does not fit in one datagram");
        CompletableFuture<Map<String, Object>> answer = new CompletableFuture<>();
        pending.put(cookie, answer);
        try {
            long wait = firstWait.toMillis();
            for (int attempt = 1; attempt <= attempts; attempt++) {
                channel.send(datagram.flip().position(0), server);
                try {
                    Map<String, Object> reply = answer.get(wait, TimeUnit.MILLISECONDS);
                    if ("error".equals(reply.get("result"))) {
                        throw new NgException(String.valueOf(reply.getOrDefault("error-reason", "unknown error")));
                    }
                    return reply;
                } catch (TimeoutException e) {
                    LOG.debug("No answer from rtpengine at {} to {} (try {})", server, command.get("command"), attempt);
                    wait = Math.min(wait * 2, MAX_WAIT_MS);
                } catch (ExecutionException e) {
                    throw new IOException("rtpengine's answer could not be read", e.getCause());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("Interrupted while waiting for rtpengine", e);
                }
            }
            throw new SocketTimeoutException("rtpengine at " + server + " did not answer " + command.get("command")
                    + " after " + attempts + " tries");
        } finally {
            pending.remove(cookie);
        }
    }

    private String cookie() {
        char[] c = new char[16];
        for (int i = 0; i < c.length; i++) c[i] = COOKIE_CHARS[random.nextInt(COOKIE_CHARS.length)];
        return new String(c);
    }

    private void receive() {
        ByteBuffer buffer = ByteBuffer.allocate(MAX_DATAGRAM);
        while (!closed) {
            try {
                buffer.clear();
                channel.receive(buffer);
                buffer.flip();
                byte[] bytes = new byte[buffer.remaining()];
                buffer.get(bytes);
                int space = indexOf(bytes, (byte) ' ');
                if (space <= 0) continue;
                String cookie = new String(bytes, 0, space, StandardCharsets.US_ASCII);
                CompletableFuture<Map<String, Object>> waiting = pending.get(cookie);
                if (waiting == null) continue; // a late answer to a retry already answered
                byte[] body = java.util.Arrays.copyOfRange(bytes, space + 1, bytes.length);
                try {
                    waiting.complete(bencode.decode(body, Type.DICTIONARY));
                } catch (BencodeException | IllegalArgumentException e) {
                    waiting.completeExceptionally(e);
                }
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                if (!closed) LOG.warn("Reading from the rtpengine socket failed", e);
            }
        }
    }

    private static int indexOf(byte[] bytes, byte b) {
        for (int i = 0; i < bytes.length; i++) if (bytes[i] == b) return i;
        return -1;
    }

    @Override
    public void close() throws IOException {
        closed = true;
        channel.close();
        try {
            receiver.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        pending.values().forEach(f -> f.completeExceptionally(new IOException("closed")));
    }
}
