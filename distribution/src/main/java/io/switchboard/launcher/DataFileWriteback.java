package io.switchboard.launcher;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the embedded PostgreSQL's changed table and index files to the disk every second, so that
 * they never pile up in the kernel's page cache.
 *
 * <p>Why: a table or index that grows is extended by its session one zero-filled 8 kB page at a
 * time, and PostgreSQL leaves those pages (and the pages it writes out later, until its next
 * checkpoint) to the kernel. Linux writes a file's dirty pages back once the oldest of them is 30 s
 * old ({@code vm.dirty_expire_centisecs}), all of them at once: under a steady insert load that is
 * tens of MB every 30 s, and every commit's WAL flush waits behind it on the disk, for 100 to 300 ms.
 * Written out each second, the same bytes go to the disk in small pieces and the commits do not
 * stall. {@code fdatasync} on PostgreSQL's own files changes nothing it relies on: it only makes
 * data durable earlier than PostgreSQL asks for.
 *
 * <p>Only for the database the launcher owns; a PostgreSQL given by URL runs on a host its operator
 * tunes. One daemon thread, {@code switchboard-db-writeback}, ended by {@link #close()}.
 */
final class DataFileWriteback implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DataFileWriteback.class);
    static final String THREAD_NAME = "switchboard-db-writeback";
    /** A file changed this long before the previous pass began is written again (coarse clocks). */
    private static final Duration SLACK = Duration.ofSeconds(1);

    /** How one file is written to the disk; tests count instead. */
    interface Flush {
        void flush(Path file) throws IOException;
    }

    private final Path root;
    private final Flush flush;
    private final ScheduledExecutorService thread;
    private volatile Thread worker; // the executor's one thread, joined by close()
    private final AtomicLong flushed = new AtomicLong();
    private volatile Set<Path> lastFlushed = Set.of();
    private Instant since = Instant.now(); // only the writeback thread touches it after start
    private boolean warned;

    private DataFileWriteback(Path root, Flush flush) {
        this.root = root;
        this.flush = flush;
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, THREAD_NAME);
            t.setDaemon(true);
            worker = t;
            return t;
        });
    }

    /** Starts writing back the files under {@code dataDir/base} every {@code period}. */
    static DataFileWriteback start(Path dataDir, Duration period) {
        return start(dataDir.resolve("base"), period, DataFileWriteback::fdatasync);
    }

    static DataFileWriteback start(Path root, Duration period, Flush flush) {
        DataFileWriteback w = new DataFileWriteback(root, flush);
        long millis = period.toMillis();
        w.thread.scheduleWithFixedDelay(w::passQuietly, millis, millis, TimeUnit.MILLISECONDS);
        return w;
    }

    private static void fdatasync(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ch.force(false);
        }
    }

    private void passQuietly() {
        try {
            pass();
        } catch (IOException | RuntimeException e) {
            if (!warned) {
                warned = true;
                LOG.warn("Writing back the database's files in {} failed (will keep trying): {}", root, e.toString());
            }
        }
    }

    /**
     * One pass: every regular file changed since shortly before the previous pass began (the first
     * time: since shortly before this writeback started) is written.
     */
    void pass() throws IOException {
        Instant begin = Instant.now();
        Instant threshold = since.minus(SLACK);
        Set<Path> done = new HashSet<>();
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                if (attrs.isRegularFile() && !attrs.lastModifiedTime().toInstant().isBefore(threshold)) {
                    try {
                        flush.flush(file);
                        done.add(file);
                    } catch (NoSuchFileException e) {
                        // a table dropped or rewritten since the walk listed it
                    }
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
                return FileVisitResult.CONTINUE; // dropped while we walked, or no cluster yet
            }
        });
        flushed.addAndGet(done.size());
        if (!done.isEmpty()) lastFlushed = Set.copyOf(done);
        since = begin;
    }

    /** Files written back so far. */
    long filesFlushed() {
        return flushed.get();
    }

    /** The files of the last pass that wrote any. */
    Set<Path> lastFlushed() {
        return lastFlushed;
    }

    /**
     * Stops the thread (a pass under way finishes first, up to 5 s). The executor reports termination
     * just before its thread exits, so the thread itself is joined too: after close() it is gone.
     */
    @Override
    public void close() {
        thread.shutdown(); // the periodic pass is cancelled; one under way is not interrupted
        try {
            Thread t = worker;
            if (!thread.awaitTermination(5, TimeUnit.SECONDS) || (t != null && !join(t))) {
                LOG.warn("{} did not stop within 5 s", THREAD_NAME);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static boolean join(Thread t) throws InterruptedException {
        t.join(TimeUnit.SECONDS.toMillis(5));
        return !t.isAlive();
    }
}
