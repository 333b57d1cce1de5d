package io.switchboard.bench.chat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** A server under test, run as a process of its own; the load reaches it at {@link #base()}. */
abstract class Target {
    /** What the database wrote, summed over all databases (pg_stat_database). */
    record DbCounters(long rows, long commits) {
        DbCounters minus(DbCounters o) { return new DbCounters(rows - o.rows, commits - o.commits); }
    }

    /**
     * JVM flags both servers get alike: those of the README's run command (the collector; see the
     * README, "Memory and garbage collection"), or, to compare, those of BENCH_JVM_FLAGS
     * ({@code BENCH_JVM_FLAGS=-XX:+UseG1GC}). Diagnostic flags come on top from
     * BENCH_SERVER_JAVA_OPTIONS.
     */
    static final List<String> STANDARD_FLAGS = List.of("-XX:+UseParallelGC");
    static final List<String> JVM_FLAGS = flags(System.getenv("BENCH_JVM_FLAGS"));

    static List<String> flags(String given) {
        return given == null || given.isBlank() ? STANDARD_FLAGS : List.of(given.strip().split("\\s+"));
    }

    final String name;
    final Path work;
    final int port;
    private Process process;

    Target(String name, Path work) throws IOException {
        this.name = name;
        this.work = work;
        try (ServerSocket s = new ServerSocket(0)) {
            this.port = s.getLocalPort();
        }
    }

    abstract List<String> command();

    abstract Map<String, String> environment();

    /** The start of the line the server prints once it serves. */
    abstract String readyLine();

    /** Tokens for these handles, creating whatever accounts the server needs. */
    abstract List<String> signIn(Api api, List<String> handles) throws Exception;

    /** CPU seconds of the whole server: its JVM and any helper processes. */
    double cpuSeconds() { return jvmCpuSeconds(); }

    double jvmCpuSeconds() { return ProcStats.cpuSeconds(pid()); }

    /** Counters of the server's database, if it has one. */
    DbCounters dbCounters() throws Exception { return null; }

    /** How long a database needs to publish its statistics after the last write (0: none). */
    long statsDelayMillis() { return 0; }

    String base() { return "http://127.0.0.1:" + port; }

    String streamUri() { return "ws://127.0.0.1:" + port + "/api/v1/stream"; }

    long pid() { return process.pid(); }

    /** Starts the process and waits, up to 3 minutes, for its ready line; its output goes to a log file. */
    void start() throws Exception {
        Path log = work.resolve(name + ".log");
        ProcessBuilder pb = new ProcessBuilder(command()).redirectErrorStream(true);
        pb.environment().putAll(environment());
        // For diagnosis (GC logs, JIT logs, recordings): JVM options for the servers only, e.g.
        // BENCH_SERVER_JAVA_OPTIONS=-Xlog:gc:file=/tmp/gc-%p.log bench/chat/run.sh
        String options = System.getenv("BENCH_SERVER_JAVA_OPTIONS");
        if (options != null) pb.environment().put("JAVA_TOOL_OPTIONS", options);
        process = pb.start();
        CompletableFuture<Void> ready = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
                 Writer out = Files.newBufferedWriter(log)) {
                for (String line; (line = in.readLine()) != null; ) {
                    out.write(line);
                    out.write('\n');
                    out.flush();
                    if (line.startsWith(readyLine())) ready.complete(null);
                }
            } catch (IOException e) {
                ready.completeExceptionally(e);
            }
            ready.completeExceptionally(new IllegalStateException(name + " exited before it was ready; see " + log));
        }, name + "-output");
        reader.setDaemon(true);
        reader.start();
        try {
            ready.get(3, TimeUnit.MINUTES);
        } catch (Exception e) {
            stop();
            throw new IllegalStateException(name + " did not start; see " + log, e);
        }
    }

    /** SIGTERM, then a minute's grace before SIGKILL. */
    void stop() throws InterruptedException {
        if (process == null || !process.isAlive()) return;
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor();
        }
    }

    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** {@code java}, the {@link #JVM_FLAGS}, then the rest of a command line. */
    static List<String> javaCommand(String... rest) {
        List<String> command = new ArrayList<>();
        command.add(java());
        command.addAll(JVM_FLAGS);
        command.addAll(List.of(rest));
        return List.copyOf(command);
    }
}
