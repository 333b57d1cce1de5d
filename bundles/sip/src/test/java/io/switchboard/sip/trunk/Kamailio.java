package io.switchboard.sip.trunk;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.sip.Loopback;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Debian's kamailio as a company PBX's registrar, on 127.0.0.2 and a free port (UDP and TCP), started in
 * the foreground with a configuration of the test's own: no database, bindings in memory (usrloc), digest
 * auth against one plain password. Users are challenged with 401 and qop=auth, but {@code proxied} with
 * 407 and {@code noqop} without qop. It writes a line per request and per binding saved to its log
 * ({@code SBT REQ ...}, {@code SBT SAVED ...}), which is how tests see what it received and what it keeps.
 */
final class Kamailio implements AutoCloseable {
    static final Path BINARY = Path.of("/usr/sbin/kamailio");
    static final String REALM = "pbx.test";
    private static final Path MODULES = Path.of("/usr/lib/x86_64-linux-gnu/kamailio/modules");

    final int port;
    private final Path log;
    private final Process process;

    private Kamailio(int port, Path dir, Process process) {
        this.port = port;
        this.log = dir.resolve("kamailio.log");
        this.process = process;
    }

    /**
     * Starts it granting at most {@code maxExpires} seconds, with nonces valid {@code nonceExpire} seconds,
     * checking that each nonce count is higher than the last; returns once it answers OPTIONS.
     */
    static Kamailio start(Path dir, String password, int maxExpires, int nonceExpire) throws Exception {
        assertTrue(Files.isExecutable(BINARY), "kamailio is not installed: .ci/run installs Debian's package kamailio "
                + "(apt-get install --no-install-recommends kamailio)");
        int port = Loopback.freePort(Loopback.KAMAILIO);
        Path config = dir.resolve("kamailio.cfg");
        Files.writeString(config, config(port, password, maxExpires, nonceExpire));
        Files.createDirectories(dir.resolve("run"));
        Process process = new ProcessBuilder(BINARY.toString(), "-f", config.toString(), "-DD", "-E",
                "-Y", dir.resolve("run").toString(), "-m", "32", "-M", "8")
                .redirectErrorStream(true).redirectOutput(dir.resolve("kamailio.log").toFile()).start();
        Kamailio k = new Kamailio(port, dir, process);
        try {
            k.awaitAnswer();
        } catch (Exception | AssertionError e) {
            k.close();
            throw e;
        }
        return k;
    }

    private static String config(int port, String password, int maxExpires, int nonceExpire) {
        String address = Loopback.KAMAILIO.getHostAddress();
        return """
                #!KAMAILIO
                debug=2
                log_stderror=yes
                children=2
                tcp_children=2
                auto_aliases=no
                listen=udp:%1$s:%2$d
                listen=tcp:%1$s:%2$d
                mpath="%3$s/"
                loadmodule "tm.so"
                loadmodule "sl.so"
                loadmodule "pv.so"
                loadmodule "xlog.so"
                loadmodule "textops.so"
                loadmodule "auth.so"
                loadmodule "usrloc.so"
                loadmodule "registrar.so"
                modparam("usrloc", "db_mode", 0)
                modparam("registrar", "max_expires", %4$d)
                modparam("auth", "nonce_expire", %5$d)
                modparam("auth", "nonce_count", 1)
                request_route {
                    xlog("L_NOTICE", "SBT REQ $rm user=$tU callid=$ci cseq=$cs expires=$hdr(Expires) auth=$hdr(Authorization)$hdr(Proxy-Authorization)\\n");
                    if (is_method("OPTIONS")) { sl_send_reply("200", "OK"); exit; }
                    if (!is_method("REGISTER")) { sl_send_reply("403", "Forbidden"); exit; }
                    if ($tU == "proxied") {
                        if (!pv_proxy_authenticate("%6$s", "%7$s", "0")) {
                            xlog("L_NOTICE", "SBT CHALLENGE user=$tU code=$rc\\n");
                            proxy_challenge("%6$s", "1");
                            exit;
                        }
                    } else if (!pv_auth_check("%6$s", "%7$s", "0", "1")) {
                        xlog("L_NOTICE", "SBT CHALLENGE user=$tU code=$rc\\n");
                        if ($tU == "noqop") www_challenge("%6$s", "0");
                        else www_challenge("%6$s", "1");
                        exit;
                    }
                    if (!save("location")) { sl_reply_error(); exit; }
                    if (reg_fetch_contacts("location", "$tu", "loc")) {
                        xlog("L_NOTICE", "SBT SAVED user=$tU contacts=$(ulc(loc=>count)) contact=$(ulc(loc=>addr)) expires=$(ulc(loc=>expires))\\n");
                    } else {
                        xlog("L_NOTICE", "SBT SAVED user=$tU contacts=0\\n");
                    }
                    exit;
                }
                """.formatted(address, port, MODULES, maxExpires, nonceExpire, REALM, password);
    }

    /** Waits until an OPTIONS over UDP gets its 200, up to 10 s. */
    private void awaitAnswer() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(Loopback.STACK, 0))) {
            socket.setSoTimeout(200);
            while (System.nanoTime() < deadline) {
                assertTrue(process.isAlive(), () -> "kamailio ended at start:\n" + text());
                String callId = UUID.randomUUID() + "@probe";
                byte[] options = ("OPTIONS sip:" + Loopback.KAMAILIO.getHostAddress() + ":" + port + " SIP/2.0\r\n"
                        + "Via: SIP/2.0/UDP 127.0.0.1:" + socket.getLocalPort() + ";branch=z9hG4bK" + UUID.randomUUID() + "\r\n"
                        + "Max-Forwards: 70\r\nFrom: <sip:probe@127.0.0.1>;tag=1\r\nTo: <sip:" + Loopback.KAMAILIO.getHostAddress()
                        + ">\r\nCall-ID: " + callId + "\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n")
                        .getBytes(StandardCharsets.UTF_8);
                socket.send(new DatagramPacket(options, options.length, Loopback.KAMAILIO, port));
                try {
                    DatagramPacket in = new DatagramPacket(new byte[4096], 4096);
                    socket.receive(in);
                    if (new String(in.getData(), 0, in.getLength(), StandardCharsets.UTF_8).startsWith("SIP/2.0 200")) return;
                } catch (SocketTimeoutException e) {
                    // not yet
                }
            }
        }
        throw new AssertionError("kamailio did not answer within 10 s:\n" + text());
    }

    /** Its log lines that start (after kamailio's prefix) with {@code SBT } and pass {@code filter}. */
    List<String> lines(Predicate<String> filter) {
        return text().lines().filter(l -> l.contains("SBT ")).map(l -> l.substring(l.indexOf("SBT ")))
                .filter(filter).toList();
    }

    /** The REGISTERs kamailio received for {@code user}, in order. */
    List<String> registers(String user) {
        return lines(l -> l.startsWith("SBT REQ REGISTER user=" + user + " "));
    }

    /** The bindings kamailio saved for {@code user}, in order: what its location table held after each. */
    List<String> saved(String user) {
        return lines(l -> l.startsWith("SBT SAVED user=" + user + " "));
    }

    String text() {
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            return e.toString();
        }
    }

    /** SIGTERM (kamailio ends its children itself), then SIGKILL for any of them left after 5 s. */
    @Override
    public void close() throws InterruptedException {
        List<ProcessHandle> children = process.descendants().toList();
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        for (ProcessHandle child : children) {
            if (child.isAlive()) child.destroyForcibly();
        }
    }
}
