package io.switchboard.bench;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * Start-up time, idle memory, registrations and logins per second of the runnable jar, each beside a
 * baseline measured in the same run on the same machine:
 * a bare JVM (start-up, memory) and the password KDF alone (registrations, logins).
 */
public final class CoreBench {
    private static final int WARM_STARTS = 5;
    private static final int THREADS = 4;
    private static final int ACCOUNTS = 200;
    private static final int LOGINS = 400;
    private static final int KDF_ITERATIONS = 210_000;

    private final Path jar;
    private final Path work;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private CoreBench(Path jar, Path work) {
        this.jar = jar;
        this.work = work;
    }

    public static void main(String[] args) throws Exception {
        Path jar = Path.of(args[0]).toAbsolutePath();
        Path out = Path.of(args[1]);
        Path work = Files.createTempDirectory("switchboard-bench");
        new CoreBench(jar, work).run(out);
    }

    private void run(Path out) throws Exception {
        List<Long> jvmFloor = new ArrayList<>();
        for (int i = 0; i < WARM_STARTS; i++) jvmFloor.add(timeToReady(List.of(java(), "-cp", classpath(), Noop.class.getName())));
        Procs.Memory floorMem = idleNoopMemory();

        Path home = work.resolve("home");
        int port = freePort();
        long first = startAndStop(home, port, false).millis;
        List<Long> warm = new ArrayList<>();
        Run kept = null;
        for (int i = 0; i < WARM_STARTS; i++) {
            Run r = startAndStop(home, port, i == WARM_STARTS - 1);
            warm.add(r.millis);
            kept = r;
        }
        // The last start is kept running for the memory and load figures.
        Thread.sleep(15_000);
        Procs.Memory jvm = Procs.memory(kept.process.pid());
        long postmaster = Long.parseLong(Files.readAllLines(home.resolve("data/pg/postmaster.pid")).get(0).trim());
        Procs.Memory pg = Procs.treeMemory(postmaster);

        String base = "http://127.0.0.1:" + port;
        double kdfSingle = kdfPerSecond(ACCOUNTS);
        double registrations = parallel(ACCOUNTS, i -> post(base + "/api/v1/accounts",
                "{\"handle\":\"bench" + i + "\",\"displayName\":\"Bench " + i + "\",\"password\":\"bench password " + i
                        + "\",\"kind\":\"person\"}", 201));
        double logins = parallel(LOGINS, i -> post(base + "/api/v1/sessions",
                "{\"handle\":\"bench" + (i % ACCOUNTS) + "\",\"password\":\"bench password " + (i % ACCOUNTS) + "\"}", 201));
        kept.process.destroy();
        kept.process.waitFor();

        String report = report(jvmFloor, floorMem, first, warm, jvm, pg, kdfSingle, registrations, logins);
        System.out.println(report);
        write(out, report);
    }

    private record Run(long millis, Process process) {}

    private Run startAndStop(Path home, int port, boolean keep) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(java(), "-jar", jar.toString());
        pb.environment().put("SWITCHBOARD_HOME", home.toString());
        pb.environment().put("SWITCHBOARD_HTTP_PORT", Integer.toString(port));
        pb.environment().put("SWITCHBOARD_BIND", "127.0.0.1");
        pb.environment().put("SWITCHBOARD_ADMIN_TOKEN", "bench-admin-token-0123456789");
        Path log = work.resolve("switchboard.log");
        pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        long offset = Files.exists(log) ? Files.size(log) : 0;
        long t0 = System.nanoTime();
        Process p = pb.start();
        waitForLine(log, offset, "Switchboard ready on", p);
        long millis = (System.nanoTime() - t0) / 1_000_000;
        if (!keep) {
            p.destroy();
            p.waitFor();
        }
        return new Run(millis, p);
    }

    private long timeToReady(List<String> command) throws Exception {
        Path log = work.resolve("noop.log");
        Files.deleteIfExists(log);
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        waitForLine(log, 0, "ready", p);
        long millis = (System.nanoTime() - t0) / 1_000_000;
        p.waitFor();
        return millis;
    }

    private Procs.Memory idleNoopMemory() throws Exception {
        Path log = work.resolve("noop-idle.log");
        Process p = new ProcessBuilder(java(), "-cp", classpath(), Noop.class.getName(), "20000")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        waitForLine(log, 0, "ready", p);
        Thread.sleep(3000);
        Procs.Memory m = Procs.memory(p.pid());
        p.destroy();
        p.waitFor();
        return m;
    }

    private static void waitForLine(Path log, long offset, String text, Process p) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
        while (System.nanoTime() < deadline) {
            if (Files.exists(log)) {
                byte[] all = Files.readAllBytes(log);
                String s = new String(all, (int) Math.min(offset, all.length), (int) (all.length - Math.min(offset, all.length)),
                        StandardCharsets.UTF_8);
                if (s.contains(text)) return;
            }
            if (!p.isAlive()) throw new IllegalStateException("process exited before '" + text + "'; see " + log);
            Thread.sleep(10);
        }
        throw new IllegalStateException("no '" + text + "' within 180 s; see " + log);
    }

    interface Call {
        void run(int i) throws Exception;
    }

    private static double parallel(int count, Call call) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        AtomicInteger next = new AtomicInteger();
        long t0 = System.nanoTime();
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            futures.add(pool.submit(() -> {
                int i;
                while ((i = next.getAndIncrement()) < count) call.run(i);
                return null;
            }));
        }
        for (Future<?> f : futures) f.get();
        pool.shutdown();
        return count / ((System.nanoTime() - t0) / 1e9);
    }

    private void post(String url, String body, int expected) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != expected) throw new IllegalStateException(url + " → " + r.statusCode() + " " + r.body());
    }

    /** PBKDF2-HMAC-SHA256 at the accounts bundle's cost, on the same threads: the floor for sign-ups and logins. */
    private static double kdfPerSecond(int count) throws Exception {
        SecureRandom random = new SecureRandom();
        return parallel(count, i -> {
            byte[] salt = new byte[16];
            random.nextBytes(salt);
            PBEKeySpec spec = new PBEKeySpec(("bench password " + i).toCharArray(), salt, KDF_ITERATIONS, 256);
            SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
        });
    }

    private static String report(List<Long> floor, Procs.Memory floorMem, long first, List<Long> warm, Procs.Memory jvm,
                                 Procs.Memory pg, double kdf, double reg, double login) {
        long median = median(warm);
        long floorMedian = median(floor);
        StringBuilder s = new StringBuilder();
        s.append("## Core runtime (bench/run.sh)\n\n");
        s.append("Measured ").append(LocalDate.now()).append(" on ").append(Runtime.getRuntime().availableProcessors())
                .append(" cores, ").append(System.getProperty("java.vm.name")).append(' ')
                .append(System.getProperty("java.version")).append(", default JVM flags (`java -jar`), embedded PostgreSQL.\n\n");
        s.append("| figure | Switchboard | baseline in the same run | ratio |\n| --- | --- | --- | --- |\n");
        s.append(String.format("| start to `ready`, first start (initdb, bundle install) | %d ms | | |%n", first));
        s.append(String.format("| start to `ready`, warm (median of %d, all: %s ms) | %d ms | bare JVM to main(): %d ms | %.1f× |%n",
                warm.size(), warm, median, floorMedian, median / (double) Math.max(1, floorMedian)));
        s.append(String.format("| idle resident memory, JVM (RSS / PSS) | %d / %d MB | bare idle JVM: %d / %d MB | |%n",
                jvm.rssKb() / 1024, jvm.pssKb() / 1024, floorMem.rssKb() / 1024, floorMem.pssKb() / 1024));
        s.append(String.format("| idle resident memory, embedded PostgreSQL (RSS / PSS, all processes) | %d / %d MB | | |%n",
                pg.rssKb() / 1024, pg.pssKb() / 1024));
        s.append(String.format("| idle resident memory, all (PSS) | %d MB | | |%n", (jvm.pssKb() + pg.pssKb()) / 1024));
        s.append(String.format("| accounts registered per second (%d threads, %d accounts) | %.1f /s | PBKDF2 %d iterations alone: %.1f /s | %.2f |%n",
                THREADS, ACCOUNTS, reg, KDF_ITERATIONS, kdf, reg / kdf));
        s.append(String.format("| logins per second (%d threads, %d logins) | %.1f /s | PBKDF2 alone: %.1f /s | %.2f |%n",
                THREADS, LOGINS, login, kdf, login / kdf));
        s.append("\nSign-ups and logins are bound by the password KDF by design (≥ 210,000 PBKDF2 iterations);\n"
                + "the ratio shows what the HTTP, JSON, database and session work costs on top of it.\n");
        return s.toString();
    }

    private static long median(List<Long> values) {
        List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }

    private static void write(Path out, String section) throws IOException {
        String marker = "## Core runtime (bench/run.sh)";
        String existing = Files.exists(out) ? Files.readString(out) : "# Benchmarks\n\n";
        int at = existing.indexOf(marker);
        String updated;
        if (at < 0) {
            updated = existing + (existing.endsWith("\n\n") ? "" : "\n") + section;
        } else {
            int end = existing.indexOf("\n## ", at + marker.length());
            updated = existing.substring(0, at) + section + (end < 0 ? "" : existing.substring(end + 1));
        }
        Files.writeString(out, updated);
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static String classpath() {
        return System.getProperty("java.class.path");
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
