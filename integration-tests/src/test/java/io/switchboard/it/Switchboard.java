package io.switchboard.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The runnable jar as an operator starts it: {@code java -jar switchboard.jar} with the environment
 * of the operating contract, its output kept in a log beside the test's home directory.
 */
public final class Switchboard implements AutoCloseable {
    static final String ADMIN_TOKEN = "it-admin-token-0123456789abcdef";
    private static final Duration READY = Duration.ofSeconds(120);

    private final Path home;
    private final int port;
    private final int sipPort;
    private final Map<String, String> extraEnv;
    private Process process;
    private Path log;
    private long logOffset;
    private long readyMillis;

    private Switchboard(Path home, int port, Map<String, String> extraEnv) throws IOException {
        this.home = home;
        this.port = port;
        this.sipPort = freeUdpAndTcpPort();
        this.extraEnv = extraEnv;
    }

    /** The process's output (standard out and error), appended across restarts. */
    Path logFile() {
        return log;
    }

    static Path workDir(String name) throws IOException {
        Path dir = Path.of(System.getProperty("it.work", "target/it-work")).toAbsolutePath().resolve(name);
        if (Files.exists(dir)) {
            try (var walk = Files.walk(dir)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        Files.createDirectories(dir);
        return dir;
    }

    static Switchboard start(Path home) throws Exception {
        return start(home, Map.of());
    }

    static Switchboard start(Path home, Map<String, String> extraEnv) throws Exception {
        Switchboard s = new Switchboard(home, freePort(), extraEnv);
        s.launch();
        return s;
    }

    /** Starts it again on the same home and port after a stop or a kill. */
    void restart() throws Exception {
        if (process != null && process.isAlive()) throw new IllegalStateException("still running");
        launch();
    }

    private void launch() throws Exception {
        Path jar = Path.of(System.getProperty("switchboard.jar", "../distribution/target/switchboard.jar"));
        if (!Files.isRegularFile(jar)) fail("The runnable jar is missing: " + jar + " (build the project first)");
        ProcessBuilder pb = new ProcessBuilder(javaBin(), "-Xmx256m", "-jar", jar.toString());
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("SWITCHBOARD_"));
        env.put("SWITCHBOARD_HOME", home.toString());
        env.put("SWITCHBOARD_HTTP_PORT", Integer.toString(port));
        env.put("SWITCHBOARD_BIND", "127.0.0.1");
        env.put("SWITCHBOARD_ADMIN_TOKEN", ADMIN_TOKEN);
        // A SIP port of its own, so instances never meet on 5060 (or on a PBX a test runs).
        env.put("SWITCHBOARD_SIP_PORT", Integer.toString(sipPort));
        env.putAll(extraEnv);
        pb.redirectErrorStream(true);
        // The child writes straight into the log file: a pipe read by a thread here loses the last
        // lines when the process exits (the JDK closes the pipe under the reader).
        Path log = home.resolveSibling(home.getFileName() + ".log");
        if (!Files.exists(log)) Files.createFile(log);
        logOffset = Files.size(log);
        pb.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        this.log = log;
        long t0 = System.nanoTime();
        process = pb.start();
        long deadline = t0 + READY.toNanos();
        while (!outputContains("Switchboard ready on http://")) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                process.destroyForcibly();
                fail("Switchboard did not print its ready line within " + READY.toSeconds() + " s; see " + log
                        + "\n" + String.join("\n", tail(40)));
            }
            Thread.sleep(50);
        }
        readyMillis = Duration.ofNanos(System.nanoTime() - t0).toMillis();
    }

    /** SIGTERM, as an init system stops it; it must exit cleanly. */
    void stop() throws Exception {
        if (process == null || !process.isAlive()) return;
        process.destroy();
        boolean exited = process.waitFor(60, TimeUnit.SECONDS);
        if (!exited) {
            process.destroyForcibly();
            fail("Switchboard did not stop within 60 s of SIGTERM");
        }
        int code = process.exitValue();
        // 143 = terminated by SIGTERM after the shutdown hook ran; 0 = exited by itself.
        if (code != 0 && code != 143) fail("Switchboard exited with " + code + "\n" + String.join("\n", tail(40)));
        assertEquals(true, outputContains("Switchboard stopped"), "the shutdown hook ran (exit " + code + ")");
    }

    /** SIGKILL: no shutdown hook, the embedded database process is left behind. */
    void kill() throws Exception {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** Lines this run (since the last start) wrote. */
    List<String> output() {
        try {
            byte[] all = Files.readAllBytes(log);
            int from = (int) Math.min(logOffset, all.length);
            return List.of(new String(all, from, all.length - from, StandardCharsets.UTF_8).split("\n"));
        } catch (IOException e) {
            return List.of();
        }
    }

    boolean outputContains(String text) {
        return output().stream().anyMatch(l -> l.contains(text));
    }

    List<String> tail(int n) {
        List<String> out = output();
        return out.subList(Math.max(0, out.size() - n), out.size());
    }

    Api api() {
        return new Api("http://127.0.0.1:" + port);
    }

    String wsUrl() {
        return "ws://127.0.0.1:" + port + "/api/v1/stream";
    }

    Path home() { return home; }

    int port() { return port; }

    /** The SIP port (UDP and TCP) of SWITCHBOARD_SIP_PORT. */
    int sipPort() { return sipPort; }

    long readyMillis() { return readyMillis; }

    long pid() { return process.pid(); }

    @Override
    public void close() throws Exception {
        stop();
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        }
    }

    /** A port free for both UDP and TCP on loopback (the SIP stack listens on both). */
    static int freeUdpAndTcpPort() throws IOException {
        for (int attempt = 0; attempt < 20; attempt++) {
            int candidate = freePort();
            try (java.net.DatagramSocket udp = new java.net.DatagramSocket(candidate, java.net.InetAddress.getLoopbackAddress())) {
                return candidate;
            } catch (java.net.SocketException taken) {
                // try another
            }
        }
        throw new IOException("no port free for both UDP and TCP");
    }

    static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    static Map<String, String> env(String... kv) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put(kv[i], kv[i + 1]);
        return m;
    }
}
