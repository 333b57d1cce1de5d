package io.switchboard.launcher;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real PostgreSQL 17 (zonky's binaries from Maven) whose data lives in a directory of our own, so it
 * survives restarts and a killed JVM.
 *
 * <p>PostgreSQL runs as its own process (started through {@code pg_ctl}), so a JVM killed with
 * {@code kill -9} leaves it running with {@code postmaster.pid} in the data directory; {@link #start}
 * stops such a leftover first (SIGTERM, then SIGKILL) and ignores a stale pid file. zonky's own lock
 * file {@code epg-lock} in the data directory is an OS file lock that dies with its process, so a
 * leftover file needs nothing. Connections: user {@code postgres} over TCP on localhost, trust
 * authentication (password empty), on a free port chosen at each start.
 */
public final class EmbeddedDatabase implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedDatabase.class);
    static final String USER = "postgres";
    static final String DATABASE = "postgres";
    private static final Duration TERM_WAIT = Duration.ofSeconds(20);
    private static final Duration KILL_WAIT = Duration.ofSeconds(10);
    /** How often changed table and index files are written to the disk ({@link DataFileWriteback}). */
    static final Duration WRITEBACK_PERIOD = Duration.ofSeconds(1);

    private final EmbeddedPostgres postgres;
    private final Path dataDir;
    private final DataFileWriteback writeback;
    private boolean closed;

    private EmbeddedDatabase(EmbeddedPostgres postgres, Path dataDir) {
        this.postgres = postgres;
        this.dataDir = dataDir;
        this.writeback = DataFileWriteback.start(dataDir, WRITEBACK_PERIOD);
    }

    /** Starts PostgreSQL on {@code dataDir}, creating the cluster there the first time. */
    /** {@link #start} for use in a task: an I/O failure arrives as {@link java.io.UncheckedIOException}. */
    static EmbeddedDatabase startUnchecked(Path dataDir) {
        try {
            return start(dataDir);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e.getMessage(), e);
        }
    }

    public static EmbeddedDatabase start(Path dataDir) throws IOException {
        Path dir = dataDir.toAbsolutePath().normalize();
        Files.createDirectories(dir);
        stopLeftover(dir);
        setAsideFailedInit(dir);
        long begin = System.nanoTime();
        boolean fresh = !Files.exists(dir.resolve("postgresql.conf"));
        EmbeddedPostgres pg = EmbeddedPostgres.builder()
                .setDataDirectory(dir)
                .setCleanDataDirectory(false)
                .setServerConfig("listen_addresses", "localhost")
                // zonky starts PostgreSQL for fast tests: synchronous_commit off and "-F" (fsync off,
                // so a power loss or kernel crash could lose or corrupt acknowledged commits). We keep
                // what we acknowledge: commits wait for their WAL flush, and the flush reaches the disk
                // ("-c fsync=on" comes after zonky's "-F" on the command line, and the last one wins).
                .setServerConfig("fsync", "on")
                .setServerConfig("synchronous_commit", "on")
                .setServerConfig("max_connections", "100")
                // A new 16 MB WAL file is otherwise written full of zeroes (and flushed) by the commit
                // that needs it, while every other commit waits: a stall of about 100 ms on a plain
                // disk every few seconds under load. Off, the file gets its size without the zeroes;
                // each commit's flush still covers the blocks it fills.
                .setServerConfig("wal_init_zero", "off")
                .setPGStartupWait(Duration.ofSeconds(60)) // crash recovery after a kill can take a while
                .start();
        holdShutdownHook(pg, true);
        LOG.info("PostgreSQL started on port {} with data in {} ({} ms{})", pg.getPort(), dir,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin), fresh ? ", new cluster" : "");
        return new EmbeddedDatabase(pg, dir);
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://localhost:" + postgres.getPort() + "/" + DATABASE;
    }

    public String user() {
        return USER;
    }

    /** Empty: the server trusts connections from localhost. */
    public String password() {
        return "";
    }

    public int port() {
        return postgres.getPort();
    }

    /** The thread that writes changed data files to the disk every second. */
    DataFileWriteback writeback() {
        return writeback;
    }

    /**
     * zonky registers a JVM shutdown hook that stops PostgreSQL, and shutdown hooks run all at once: on
     * SIGTERM the database would go while the bundles still write to it. Its hook does nothing once the
     * instance counts as closed, so the launcher marks it closed while running and unmarks it just
     * before its own ordered stop (bundles first, then the database). Without the field (another zonky
     * version) nothing changes but the order.
     */
    private static void holdShutdownHook(EmbeddedPostgres pg, boolean hold) {
        try {
            java.lang.reflect.Field closedFlag = EmbeddedPostgres.class.getDeclaredField("closed");
            closedFlag.setAccessible(true);
            ((java.util.concurrent.atomic.AtomicBoolean) closedFlag.get(pg)).set(hold);
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.debug("zonky's shutdown hook cannot be held back: {}", e.toString());
        }
    }

    /** Stops PostgreSQL (fast shutdown: sessions end, data is flushed). Safe to call more than once. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        Optional<ProcessHandle> postmaster = readPid(dataDir.resolve("postmaster.pid"))
                .flatMap(ProcessHandle::of).filter(EmbeddedDatabase::isPostgres);
        List<ProcessHandle> children = postmaster.map(p -> p.descendants().collect(Collectors.toList()))
                .orElse(List.of());
        writeback.close();
        holdShutdownHook(postgres, false);
        try {
            postgres.close(); // pg_ctl stop -m fast -w -t 5: returns when the pid file is gone
        } catch (IOException e) {
            LOG.warn("Stopping PostgreSQL: {}", e.toString());
        }
        // the process may still be finishing, or pg_ctl gave up after 5 s: be sure it is gone
        try {
            if (postmaster.isPresent()) {
                stop(postmaster.get(), children, dataDir, Duration.ofSeconds(5));
            }
        } catch (IOException e) {
            LOG.warn("PostgreSQL in {} may still be running: {}", dataDir, e.toString());
        }
    }

    /**
     * A postmaster that still runs on {@code dir} (its JVM was killed) is stopped: SIGTERM (PostgreSQL's
     * smart shutdown; the dead JVM's sessions are gone already), up to 20 s, then SIGKILL for it and its
     * children. A pid file whose process is dead or is not PostgreSQL is removed.
     */
    static void stopLeftover(Path dir) throws IOException {
        Path pidFile = dir.resolve("postmaster.pid");
        Optional<Long> pid = readPid(pidFile);
        if (pid.isEmpty()) {
            return;
        }
        Optional<ProcessHandle> handle = ProcessHandle.of(pid.get()).filter(EmbeddedDatabase::alive);
        if (handle.isEmpty() || !isPostgres(handle.get())) {
            LOG.info("Removing stale {} (pid {} is {})", pidFile, pid.get(),
                    handle.isEmpty() ? "not running" : "not PostgreSQL");
            Files.deleteIfExists(pidFile);
            return;
        }
        ProcessHandle postmaster = handle.get();
        LOG.warn("PostgreSQL (pid {}) left running on {}: stopping it", postmaster.pid(), dir);
        stop(postmaster, postmaster.descendants().collect(Collectors.toList()), dir, Duration.ZERO);
    }

    /**
     * After {@code grace} (time for a shutdown already asked for), SIGTERM, up to 20 s, then SIGKILL for
     * the postmaster and its children; waits for all of them.
     */
    private static void stop(ProcessHandle postmaster, List<ProcessHandle> children, Path dir, Duration grace)
            throws IOException {
        if (!alive(postmaster)) {
            return;
        }
        if (!waitForExit(postmaster, grace)) {
            postmaster.destroy(); // SIGTERM: smart shutdown
        }
        if (!waitForExit(postmaster, TERM_WAIT)) {
            LOG.warn("PostgreSQL (pid {}) did not stop within {} s: killing it", postmaster.pid(), TERM_WAIT.toSeconds());
            postmaster.destroyForcibly();
            children.forEach(ProcessHandle::destroyForcibly);
            if (!waitForExit(postmaster, KILL_WAIT)) {
                throw new IOException("PostgreSQL (pid " + postmaster.pid() + ") on " + dir + " does not die");
            }
        }
        // backends leave soon after their postmaster; the next start checks the shared memory they hold
        Instant deadline = Instant.now().plus(KILL_WAIT);
        for (ProcessHandle child : children) {
            if (!waitForExit(child, Duration.between(Instant.now(), deadline))) {
                child.destroyForcibly();
                waitForExit(child, Duration.ofSeconds(2));
            }
        }
        Files.deleteIfExists(dir.resolve("postmaster.pid")); // normally gone already; after SIGKILL it stays
    }

    /**
     * Alive and not a zombie. A postmaster started by pg_ctl is re-parented to PID 1 when its JVM dies;
     * where PID 1 does not reap orphans (as on these machines), the stopped server stays a zombie that
     * {@link ProcessHandle#isAlive()} still reports alive.
     */
    static boolean alive(ProcessHandle p) {
        if (!p.isAlive()) {
            return false;
        }
        try {
            String stat = Files.readString(Paths.get("/proc", Long.toString(p.pid()), "stat"));
            int close = stat.lastIndexOf(')');
            return close < 0 || close + 2 >= stat.length() || stat.charAt(close + 2) != 'Z';
        } catch (IOException e) {
            return p.isAlive();
        }
    }

    private static Optional<Long> readPid(Path pidFile) {
        try {
            List<String> lines = Files.readAllLines(pidFile);
            return lines.isEmpty() ? Optional.empty() : Optional.of(Long.parseLong(lines.get(0).trim()));
        } catch (IOException | NumberFormatException e) {
            if (Files.exists(pidFile)) {
                LOG.warn("Unreadable {}: {}", pidFile, e.toString());
                try {
                    Files.deleteIfExists(pidFile);
                } catch (IOException ignored) {
                    // start will report it
                }
            }
            return Optional.empty();
        }
    }

    private static boolean isPostgres(ProcessHandle p) {
        String command = p.info().command().orElse(null);
        if (command == null) {
            try {
                command = Files.readString(Paths.get("/proc", Long.toString(p.pid()), "comm")).trim();
            } catch (IOException e) {
                return false;
            }
        }
        String name = Paths.get(command).getFileName().toString();
        return name.equals("postgres") || name.equals("postmaster");
    }

    private static boolean waitForExit(ProcessHandle p, Duration timeout) {
        long deadline = System.nanoTime() + Math.max(0, timeout.toNanos());
        while (alive(p)) {
            if (System.nanoTime() >= deadline) {
                return false;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return !alive(p);
            }
        }
        return true;
    }

    /**
     * A directory with files but without postgresql.conf is an initdb that was cut short: initdb would
     * refuse it, so it is moved aside (never deleted) and a new cluster is created.
     */
    private static void setAsideFailedInit(Path dir) throws IOException {
        if (Files.exists(dir.resolve("postgresql.conf"))) {
            return;
        }
        boolean hasContent = false;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                if (!entry.getFileName().toString().equals("epg-lock")) {
                    hasContent = true;
                    break;
                }
            }
        }
        if (hasContent) {
            Path aside = dir.resolveSibling(dir.getFileName() + ".incomplete-" + System.currentTimeMillis());
            LOG.warn("{} holds no complete cluster (no postgresql.conf): moving it to {}", dir, aside);
            Files.move(dir, aside);
            Files.createDirectories(dir);
        }
    }
}
